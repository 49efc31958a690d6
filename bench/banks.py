"""Question-bank import at scale (issue #12): a 5,000-question 题库 workbook, read and previewed.

The workbook is built as Chinese exam platforms export it (a note row and a title above decorated
headers, options in 选项A…选项D, the four kinds mixed). Each run times, in this process, after one
warm-up:
- table (the baseline): reading the workbook's cells alone (app.core.sheets.read_tables);
- read: reading it as a question bank (every cell interpreted and checked);
- preview, new bank: read, plan, write the bank's YAML and put it through the content checker;
- preview, same bank again: the same against a bank already holding those 5,000 questions (all unchanged);
- upload request: POST /admin/banks/import through the Flask test client on a migrated SQLite
  database, signed in as a content admin (what the page does before showing the preview), and the
  GET of the preview page.
Figures are medians with their ratio to the table baseline of the same runs.

    .venv/bin/python bench/banks.py --questions 5000 --runs 5 [--markdown bench/banks_results/1-banks.md]
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from app.banks import importer, services  # noqa: E402
from app.banks.yamlbank import from_spec  # noqa: E402
from app.core.sheets import read_tables  # noqa: E402

KINDS = (("单选题", 4), ("多选题", 3), ("判断题", 2), ("填空题", 1))
TOPICS = ("投诉处理", "八项权利", "个人信息保护", "适当性管理", "反诈", "存款保险", "老年客户服务", "营销宣传")


def build_workbook(count: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "题库导出"
    sheet.append(["说明：带（必填）的列必须填写；判断题答案填“对/错”。"])
    sheet.append(["2027年消费者权益保护知识题库"])
    sheet.append(["序号", "题型（必填）", "题干（必填）", "选项A\n(勿删)", "选项B\n(勿删)", "选项C", "选项D", "正确答案",
                  "答案解析", "知识点", "难度", "分值"])
    weights = [k for k, share in KINDS for _ in range(share)]
    for number in range(1, count + 1):
        kind = weights[number % len(weights)]
        sheet.append(_row(number, kind))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(number: int, kind: str) -> list:
    topic = TOPICS[number % len(TOPICS)]
    stem = f"第{number}题：关于{topic}，银行员工在柜面接待客户时，下列哪一种做法符合监管要求（  ）？"
    options = [f"做法{number}-{letter}：按制度向客户说明{topic}的相关事项" for letter in "ABCD"]
    if kind == "判断题":
        return [number, kind, stem.replace("下列哪一种做法符合监管要求（  ）？", "应当主动说明风险。"), None, None, None,
                None, "对" if number % 2 else "错", f"依据{topic}的规定。", topic, "中", 1]
    if kind == "填空题":
        return [number, kind, f"第{number}题：{topic}的处理时限为（ ）日。", None, None, None, None, f"{number % 60 + 1}",
                f"依据{topic}的规定。", topic, "难", 2]
    answer = "B" if kind == "单选题" else "ACD"
    return [number, kind, stem, *options, answer, f"依据{topic}的规定，第{number}题。", topic, "易", 1]


def _time(function) -> float:
    gc.collect()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def measure(content: bytes, runs: int) -> dict[str, list[float]]:
    parsed = importer.read("题库.xlsx", content)
    new = services.Target("bench-bank", None, [], authored=False)
    _result, checked = services.preview(parsed, new, filename="题库.xlsx")
    assert checked.spec is not None and not checked.problems, checked.problems[:3]
    same = services.Target("bench-bank", services.Settings.of(checked.spec), from_spec(checked.spec), authored=False)
    stages = {
        "table": lambda: read_tables("题库.xlsx", content),
        "read": lambda: importer.read("题库.xlsx", content),
        "preview_new": lambda: services.preview(importer.read("题库.xlsx", content), new, filename="题库.xlsx"),
        "preview_same": lambda: services.preview(importer.read("题库.xlsx", content), same, filename="题库.xlsx"),
    }
    client = _signed_in_client()
    stages["upload"] = lambda: _upload(client, content)
    stages["preview_page"] = lambda: client.get(client.last_preview)
    times: dict[str, list[float]] = {name: [] for name in stages}
    for function in stages.values():
        function()  # warm-up
    for _run in range(runs):
        for name, function in stages.items():
            times[name].append(_time(function))
    return times


def _signed_in_client():
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import Role
    from app.auth.services import create_user
    from app.extensions import db
    from app.org.models import OrgKind
    from app.org.services import create_unit

    folder = Path(tempfile.mkdtemp(prefix="bank-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "PASSWORD_HASH_TIME_COST": 1,
                      "PASSWORD_HASH_MEMORY_KIB": 1024}, instance_path=str(folder))
    with app.app_context():
        upgrade()
        head = create_unit("HO", "总行", OrgKind.HEAD_OFFICE, None)
        create_user("content", name="内容管理员", roles={Role.CONTENT_ADMIN}, hasher=app.extensions["passwords"],
                    password="Bench-password-42", org_unit=head)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "content", "password": "Bench-password-42"})
    return client


def _upload(client, content: bytes) -> None:
    response = client.post("/admin/banks/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(content), "题库.xlsx"), "target": "__new__", "new_slug": "bench-bank"})
    assert response.status_code == 302, response.status_code
    client.last_preview = response.headers["Location"]


LABELS = {
    "table": "reading the workbook's cells (baseline)",
    "read": "reading it as a question bank",
    "preview_new": "preview into a new bank (read, plan, YAML, checker)",
    "preview_same": "preview into the same bank again (all unchanged)",
    "upload": "upload request `POST /admin/banks/import` (SQLite)",
    "preview_page": "preview page `GET /admin/banks/import/<token>`",
}


def render(times: dict[str, list[float]], count: int, size: int, runs: int) -> str:
    base = statistics.median(times["table"])
    lines = [
        f"### {count:,} questions, {size / 1024 / 1024:.1f} MB XLSX",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; {runs} timed runs per stage after one warm-up, in one process.",
        "",
        "| stage | median | min | max | ratio to the baseline |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, label in LABELS.items():
        values = times[name]
        median = statistics.median(values)
        lines.append(f"| {label} | {median:.2f} s | {min(values):.2f} s | {max(values):.2f} s | {median / base:.1f}× |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown")
    args = parser.parse_args(argv)
    content = build_workbook(args.questions)
    text = render(measure(content, args.runs), args.questions, len(content), args.runs)
    print(text)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
