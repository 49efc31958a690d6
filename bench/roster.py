"""Roster import at scale: preview and apply a 200,000-row roster through the same services as the page.

A fresh database (migrated, the demo bank and its mandatory-training assignments) receives an XLSX
of N new employees spread over the demo's sub-branches. Each run times, in a fresh process:
- preview: read the workbook, plan it against the database, write the preview the pages page through;
- apply: the same plan applied in one transaction, requirements included (what the Apply button does).
gunicorn's default worker timeout is 30 s: both must stay well under it. Figures are medians.

    .venv/bin/python bench/roster.py --rows 200000 --runs 3 [--db sqlite:////tmp/bench/roster.db]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_workbook(rows: int, path: Path) -> None:
    from openpyxl import Workbook

    from app.demo import bank as demo

    units = [f"{code[:4]}{index:02d}" for (code, _name), subs in demo.BRANCHES.items() for index in range(1, len(subs) + 1)]
    positions = ["柜员", "大堂经理", "客户经理", "理财经理"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员信息")
    sheet.append(["示例银行员工花名册（北森导出）"])
    sheet.append(["工号（必填）", "姓名", "机构代码", "岗位", "邮箱", "手机", "入职日期", "在职状态"])
    for n in range(rows):
        sheet.append([f"{300000 + n:06d}", f"员工{n}", units[n % len(units)], positions[n % 4],
                      f"e{n}@bank.example.com", f"139{n:08d}", "2024-03-01", "在职"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())


def prepare(db_url: str, instance: str) -> None:
    """Migrate an empty database and give it the demo bank with its assignments."""
    from flask_migrate import upgrade

    from app import create_app
    from app.content.services import sync_content
    from app.demo import bank as demo
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"}, instance_path=instance)
    with app.app_context():
        upgrade()
        sync_content(ROOT)
        demo.seed(hasher=app.extensions["passwords"])
        db.session.commit()
        db.engine.dispose()


def measure(db_url: str, instance: str, workbook: Path, phase: str) -> dict:
    """One preview or one apply (rolled back), in this process."""
    from app import create_app
    from app.core.time import business_today
    from app.extensions import db
    from app.org import roster, roster_services

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"}, instance_path=instance)
    with app.app_context():
        content = workbook.read_bytes()
        started = time.perf_counter()
        parsed = roster.read(workbook.name, content)
        plan = roster_services.plan(parsed, None)
        preview = roster_services.preview(plan, workbook.name)
        Path(instance, "preview.json").write_text(json.dumps(preview, ensure_ascii=False, default=str))
        planned = time.perf_counter()
        result = {"preview_s": planned - started, "new": len(plan.new), "errors": len(plan.errors)}
        if phase == "apply":
            roster_services.apply(plan, actor=None, filename=workbook.name, today=business_today())
            db.session.flush()
            result["apply_s"] = time.perf_counter() - planned
            db.session.rollback()
        db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--measure", choices=["preview", "apply"], help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--workbook", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.db, args.instance, Path(args.workbook), args.measure)))
        return
    work = Path(tempfile.mkdtemp(prefix="roster-bench-"))
    db_url = args.db or f"sqlite:///{work}/roster.db"
    prepare(db_url, str(work))
    workbook = work / "roster-200k.xlsx"
    build_workbook(args.rows, workbook)
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--measure", "apply", "--db", db_url, "--instance", str(work),
                              "--workbook", str(workbook)], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"rows": args.rows, "file_mb": round(workbook.stat().st_size / 2**20, 1), "runs": runs,
                      "preview_median_s": round(statistics.median(r["preview_s"] for r in runs), 2),
                      "apply_median_s": round(statistics.median(r["apply_s"] for r in runs), 2)}, indent=1))


if __name__ == "__main__":
    main()
