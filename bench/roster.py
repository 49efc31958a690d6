"""Roster import at scale: preview and apply a 200,000-row roster through the same services as the page.

A fresh database (migrated, the demo bank and its mandatory-training assignments) receives an XLSX
of N new employees spread over the demo's sub-branches. Each run times, in a fresh process:
- read (the baseline): reading and checking the workbook alone, no database;
- preview (the upload request): read the workbook, plan it against the database, write the preview;
- apply (the Apply request): read and plan again, apply in one transaction, requirements included, commit
  (on a fresh copy of the prepared database each run: a file copy on SQLite, CREATE DATABASE … TEMPLATE
  on PostgreSQL).
The preview is a request and must stay well under gunicorn's default 30 s worker timeout; a plan
that large is applied in the background (app/roster/jobs.py). Figures are medians, with their
ratio to the read baseline of the same runs.

    .venv/bin/python bench/roster.py --rows 200000 --runs 3 [--db postgresql://…] \\
        [--markdown bench/roster_results/1-sqlite.md]   (bench/results.py gathers them into RESULTS.md)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
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
    """Migrate an empty database and give it the demo bank with the demo year's assignments (not its activity)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.assignments import services as assignments
    from app.auth.models import User
    from app.content.services import sync_content
    from app.core.time import business_today
    from app.demo import bank as demo
    from app.demo import year
    from app.extensions import db
    from app.org.models import OrgUnit

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"}, instance_path=instance)
    with app.app_context():
        upgrade()
        sync_content(ROOT)
        demo.seed(hasher=app.extensions["passwords"])
        hr = db.session.scalar(select(User).where(User.username == "hr_head"))
        head = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
        today = business_today()
        for plan in year._plans(today.year):
            assignments.create_assignment(year._course(plan.course), audience=head, positions=list(plan.positions),
                                          rule=plan.rule, actor=hr, scope=None, today=today)
        db.session.commit()
        db.engine.dispose()


def measure(db_url: str, instance: str, workbook: Path, phase: str) -> dict:
    """One request's work, in this process, timed the way the page does it:
    - preview (the upload request): read the file, plan it, write the preview the pages page through;
    - apply (the Apply request): read the file and plan it again, apply the plan, commit.
    """
    from sqlalchemy import func, select

    from app import create_app
    from app.assignments.models import Requirement
    from app.core.time import business_today
    from app.extensions import db
    from app.roster import files as roster
    from app.roster import services as roster_services

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"}, instance_path=instance)
    with app.app_context():
        content = workbook.read_bytes()
        before = db.session.scalar(select(func.count(Requirement.id)))
        db.session.rollback()
        started = time.perf_counter()
        parsed = roster.read(workbook.name, content)
        if phase == "read":
            result = {"seconds": time.perf_counter() - started, "rows": len(parsed.employees), "errors": len(parsed.errors)}
            db.engine.dispose()
            return result
        plan = roster_services.plan(parsed, None)
        if phase == "preview":
            preview = roster_services.preview(plan, workbook.name)
            Path(instance, "preview.json").write_text(json.dumps(preview, ensure_ascii=False, default=str))
            result = {"seconds": time.perf_counter() - started, "new": len(plan.new), "errors": len(plan.errors)}
        else:
            planned = time.perf_counter()
            roster_services.apply(plan, actor=None, filename=workbook.name, today=business_today())
            applied = time.perf_counter()
            db.session.commit()
            result = {"seconds": time.perf_counter() - started, "read_and_plan_s": planned - started,
                      "apply_s": applied - planned, "commit_s": time.perf_counter() - applied,
                      "requirements_added": db.session.scalar(select(func.count(Requirement.id))) - before}
        db.engine.dispose()
    return result


def fresh_copy(db_url: str, run: int) -> str:
    """A copy of the prepared database for one apply run (each run commits 200,000 people)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        copy = Path(url.database).with_name(f"run{run}.db")
        shutil.copyfile(url.database, copy)
        return f"sqlite:///{copy}"
    name = f"{url.database}_run{run}"
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_copy(db_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(url.database).unlink(missing_ok=True)
        return
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


def _run(phase: str, db_url: str, work: Path, workbook: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", phase, "--db", db_url, "--instance", str(work),
                          "--workbook", str(workbook)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file in a temporary folder); "
                                                   "a PostgreSQL database is emptied, and copied once per run")
    parser.add_argument("--markdown", help="also write the results as a Markdown section to this file")
    parser.add_argument("--measure", choices=["read", "preview", "apply"], help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--workbook", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.db, args.instance, Path(args.workbook), args.measure)))
        return
    work = Path(tempfile.mkdtemp(prefix="roster-bench-"))
    db_url = args.db or f"sqlite:///{work}/roster.db"
    if not db_url.startswith("sqlite"):
        _empty_postgres(db_url)
    prepare(db_url, str(work))
    workbook = work / f"roster-{args.rows}.xlsx"
    build_workbook(args.rows, workbook)
    reads, previews, applies = [], [], []
    for run in range(args.runs):
        reads.append(_run("read", db_url, work, workbook))
        previews.append(_run("preview", db_url, work, workbook))
        copy = fresh_copy(db_url, run)
        try:
            applies.append(_run("apply", copy, work, workbook))
        finally:
            drop_copy(copy)
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    with engine.connect() as connection:
        database = f"{engine.dialect.name} {'.'.join(map(str, connection.dialect.server_version_info))}"
    engine.dispose()
    result = {
        "rows": args.rows, "file_mb": round(workbook.stat().st_size / 2**20, 1), "database": database,
        "when": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "python": platform.python_version(),
        "read": reads, "preview": previews, "apply": applies,
        **{f"{name}_median_s": round(statistics.median(r["seconds"] for r in runs), 2)
           for name, runs in (("read", reads), ("preview", previews), ("apply", applies))},
    }
    print(json.dumps(result, indent=1))
    if args.markdown:
        Path(args.markdown).write_text(markdown(result), encoding="utf-8")


def markdown(result: dict) -> str:
    """The results as a section of bench/RESULTS.md (every figure from the runs, none typed by hand)."""
    read = result["read_median_s"]

    def row(label: str, name: str) -> str:
        runs = ", ".join(f"{r['seconds']:.1f}" for r in result[name])
        median = result[f"{name}_median_s"]
        return f"| {label} | {median:.1f} | {runs} | {median / read:.1f}× |"

    applies = result["apply"]
    parts = {key: statistics.median(r[key] for r in applies) for key in ("read_and_plan_s", "apply_s", "commit_s")}
    return "\n".join([
        f"### {result['database']}",
        "",
        f"{result['rows']:,} new employees in a {result['file_mb']} MB XLSX, {len(applies)} runs (median), "
        f"{result['when']}, {result['cpus']} CPUs, CPython {result['python']}; "
        f"{applies[0]['requirements_added']:,} requirements created by the apply.",
        "",
        "| phase | seconds (median) | runs | vs reading the file |",
        "|---|---:|---|---:|",
        row("read the workbook (baseline)", "read"),
        row("preview: read, plan against the database, keep the preview", "preview"),
        row("apply: read and plan again, apply in one transaction, commit", "apply"),
        "",
        f"Apply, median of each part: read and plan {parts['read_and_plan_s']:.1f} s, "
        f"write people and requirements {parts['apply_s']:.1f} s, commit {parts['commit_s']:.1f} s.",
        "",
    ])


def _empty_postgres(db_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
