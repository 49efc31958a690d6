"""Time the HR pages, the API and the exports on a bank made by bench/generate.py.

    .venv/bin/python bench/run.py --db sqlite:////tmp/bench/bench.db --markdown /tmp/bench/sqlite.md

Everything goes through the real app (Flask test client, signed in through the login form as the
generator's head-office HR user), so a page's time is server time: routing, queries, rendering.
Each measure runs --runs times (after one warm-up) interleaved with the baseline
`SELECT count(*) FROM requirements`, so that both see the same machine state; the table gives the
median, min and max, and the ratio of the medians. The overdue list and the assignments page are also
compared with their own raw query (bench/raw_queries.py), timed in the same runs, and with that query plus
the layout baseline: the staff-roster upload page `/hr/roster` for the same signed-in HR user, which
goes through the same steps as those pages (sign-in user load, the HR role check, the HR scope, the base
layout, the "Training reports" heading and sub-navigation) and shows no data (a one-field form and a
fixed help table), so it is what any HR page costs before its own query and rows. Each export runs in a
fresh subprocess that streams the response to /dev/null; its peak RSS is that process's ru_maxrss (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import raw_queries  # noqa: E402
from generate import BENCH_PASSWORD, HR_USERNAME  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EXPORTS = [("assessment", "csv"), ("assessment", "xlsx"), ("requirements", "csv"), ("requirements", "xlsx")]
# targets from issue #4 (2-core machine, both databases)
PAGE_TARGETS_MS = {"overview": 250, "branch": 250, "transcript": 30}
EXPORT_TARGETS_S = {("assessment", "csv"): 10, ("assessment", "xlsx"): 10, ("requirements", "csv"): 20,
                    ("requirements", "xlsx"): 90}
RSS_TARGET_MB = 300
# issue #13: these pages within 2× of their own raw query (bench/raw_queries.py) and under 60 ms
RAW_RATIO_TARGET, RAW_PAGE_TARGET_MS = 2, 60
LAYOUT_LABEL = "Layout baseline `/hr/roster` (the same HR user's page with the same layout and no data)"


def make_app(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url})


def baseline_once(app) -> float:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        start = time.perf_counter()
        db.session.execute(text("SELECT count(*) FROM requirements")).scalar()
        elapsed = time.perf_counter() - start
        db.session.remove()
    return elapsed


def login(client, username: str, password: str) -> None:
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"login failed: {response.status_code}"


def timed_get(client, url: str, **kwargs) -> float:
    start = time.perf_counter()
    response = client.get(url, **kwargs)
    body = response.get_data()
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, f"{url}: {response.status_code} {body[:300]!r}"
    return elapsed


def stats(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


# --------------------------------------------------------------------------------------------- export child

def export_child(url: str, kind: str, fmt: str, cookie: str, period: str) -> None:
    """Runs in a fresh process: stream one export to /dev/null, print the timing as JSON."""
    app = make_app(url)
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    token = CSRF_RE.search(client.get(f"/hr/exports?period={period}").get_data(as_text=True)).group(1)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = client.post(f"/hr/exports/{kind}.{fmt}?period={period}", data={"csrf_token": token}, buffered=False)
    assert response.status_code == 200, response.status_code
    size = 0
    first_byte = None
    with open(os.devnull, "wb") as sink:
        for chunk in response.response:
            if first_byte is None:
                first_byte = time.perf_counter() - start
            size += len(chunk)
            sink.write(chunk)
    response.close()
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "first_byte": first_byte, "bytes": size, "rss_before_kb": rss_before,
                      "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def run_export(url: str, kind: str, fmt: str, cookie: str, period: str) -> dict:
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--db", url, "--export-child", f"{kind}.{fmt}", "--period", period],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, BENCH_SESSION_COOKIE=cookie))
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"export {kind}.{fmt} failed:\n{err.decode()[-3000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["process_seconds"] = wall
    result["maxrss_kb"] = usage.ru_maxrss
    return result


# --------------------------------------------------------------------------------------------- main

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=7, help="timed runs per page (after one warm-up); ≥ 5")
    parser.add_argument("--export-runs", type=int, default=5, help="runs per export (each a fresh process)")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--only-exports", default="", help="comma list such as requirements.xlsx (default: all)")
    parser.add_argument("--markdown", help="write the Markdown section here as well as printing it")
    parser.add_argument("--json", help="write the raw figures here")
    parser.add_argument("--period", default=None)
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("--db or DATABASE_URL is required")
    os.environ.pop("DATABASE_URL", None)
    if args.export_child:
        kind, fmt = args.export_child.split(".")
        export_child(args.db, kind, fmt, os.environ["BENCH_SESSION_COOKIE"], args.period)
        return

    from sqlalchemy import func, select, text

    from app.api.services import create_token
    from app.assignments.models import Requirement
    from app.auth.models import User
    from app.core.time import business_today
    from app.extensions import db
    from app.org.models import OrgUnit

    app = make_app(args.db)
    period = args.period or str(datetime.now(UTC).year)
    with app.app_context():
        dialect = db.engine.dialect.name
        server_version = db.session.execute(text(
            "SELECT version()" if dialect == "postgresql" else "SELECT sqlite_version()")).scalar()
        hr = db.session.scalar(select(User).where(User.username == HR_USERNAME))
        head = hr.hr_scope
        branch = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id == head.id).order_by(OrgUnit.code))
        sub = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id == branch.id).order_by(OrgUnit.code))
        employee_no = db.session.scalar(select(User.employee_no).where(User.org_unit_id == sub.id)
                                        .order_by(User.employee_no).limit(1))
        counts = {"requirements": db.session.scalar(select(func.count()).select_from(Requirement)),
                  "employees": db.session.scalar(select(func.count()).select_from(User)
                                                 .where(User.employee_no.is_not(None))),
                  "org_units": db.session.scalar(select(func.count()).select_from(OrgUnit))}
        _record, api_token = create_token(hr, "bench")
        db.session.commit()
        branch_code, sub_code = branch.code, sub.code
        raw = {"overdue": {"scope_path": head.path, "period": period, "today": business_today()},
               "assignments": {"today": business_today()}}
        db.session.remove()

    client = app.test_client()
    login(client, HR_USERNAME, BENCH_PASSWORD)
    cookie = client.get_cookie("session").value
    pages = {
        "overview": (f"/hr?period={period}", {}),
        "branch": (f"/hr?unit={branch_code}&period={period}", {}),
        "sub_branch": (f"/hr?unit={sub_code}&period={period}", {}),
        "overdue": (f"/hr/overdue?period={period}", {}),
        "assignments": ("/hr/assignments", {}),
        "transcript": (f"/hr/employees/{employee_no}", {}),
        "api": (f"/api/v1/completions?period={period}", {"headers": {"Authorization": f"Bearer {api_token}"}}),
        "layout": ("/hr/roster", {}),
    }
    labels = {
        "overview": "Head-office overview `/hr`",
        "branch": f"Branch drill-down `/hr?unit={branch_code}`",
        "sub_branch": f"Sub-branch drill-down `/hr?unit={sub_code}` (employee list)",
        "overdue": "Head-office overdue list `/hr/overdue` (first 500)",
        "assignments": "Assignments page `/hr/assignments` (figures per assignment)",
        "transcript": f"Employee transcript `/hr/employees/{employee_no}`",
        "api": "API first page `/api/v1/completions` (500 records)",
        "layout": LAYOUT_LABEL,
    }
    print(f"# {dialect} {server_version}: {counts}", flush=True)
    for url, kwargs in pages.values():  # warm-up (and a check that every page answers 200)
        timed_get(client, url, **kwargs)
    baseline_once(app)
    for name, kwargs in raw.items():
        raw_queries.timed(app, name, **kwargs)
    samples = {name: [] for name in pages}
    baseline = []
    raw_samples = {name: [] for name in raw}
    for run in range(args.runs):
        baseline.append(baseline_once(app))
        for name, kwargs in raw.items():
            raw_samples[name].append(raw_queries.timed(app, name, **kwargs))
        for name, (url, kwargs) in pages.items():
            samples[name].append(timed_get(client, url, **kwargs))
        print(f"  run {run + 1}/{args.runs}: baseline {baseline[-1] * 1000:.1f} ms, "
              + "".join(f"raw {n} {s[-1] * 1000:.1f} ms, " for n, s in raw_samples.items())
              + ", ".join(f"{n} {s[-1] * 1000:.0f} ms" for n, s in samples.items()), flush=True)

    exports = {}
    if not args.skip_exports:
        wanted = [e for e in EXPORTS if not args.only_exports or f"{e[0]}.{e[1]}" in args.only_exports.split(",")]
        for kind, fmt in wanted:
            results, export_baseline = [], []
            for run in range(args.export_runs):
                export_baseline.append(baseline_once(app))
                result = run_export(args.db, kind, fmt, cookie, period)
                results.append(result)
                print(f"  {kind}.{fmt} run {run + 1}/{args.export_runs}: {result['seconds']:.1f} s "
                      f"(first byte {result['first_byte']:.2f} s), {result['bytes'] / 1e6:.1f} MB, "
                      f"peak RSS {result['maxrss_kb'] / 1024:.0f} MB", flush=True)
            exports[(kind, fmt)] = {"results": results, "baseline": export_baseline}

    figures = {
        "dialect": dialect, "server_version": server_version, "counts": counts, "period": period,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "runs": args.runs,
        "export_runs": args.export_runs,
        "baseline": stats(baseline),
        "pages": {name: stats(s) for name, s in samples.items()},
        "raw": {name: stats(s) for name, s in raw_samples.items()},
        "exports": {f"{k}.{f}": {"time": stats([r["seconds"] for r in v["results"]]),
                                 "rss_mb": max(r["maxrss_kb"] for r in v["results"]) / 1024,
                                 "rss_before_mb": max(r["rss_before_kb"] for r in v["results"]) / 1024,
                                 "bytes": v["results"][0]["bytes"],
                                 "baseline": stats(v["baseline"])} for (k, f), v in exports.items()},
    }
    markdown = render(figures, labels)
    print(markdown)
    if args.markdown:
        Path(args.markdown).write_text(markdown, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


def render(f: dict, labels: dict) -> str:
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[f["dialect"]]
    version = f["server_version"].split(" on ")[0] if f["dialect"] == "postgresql" else f"SQLite {f['server_version']}"
    c = f["counts"]
    b = f["baseline"]["median"]
    lines = [
        f"### {name} ({version})",
        "",
        f"{c['employees']:,} employees, {c['org_units']:,} org units, {c['requirements']:,} requirement rows; "
        f"period {f['period']}; measured {f['date']}; {f['runs']} timed runs per page after one warm-up, "
        + (f"{f['export_runs']} runs per export (each in a fresh process)." if f["exports"] else
           "exports not run (--skip-exports)."),
        "",
        f"Baseline `SELECT count(*) FROM requirements`, interleaved with the page runs: median "
        f"**{b * 1000:.1f} ms** (min {f['baseline']['min'] * 1000:.1f}, max {f['baseline']['max'] * 1000:.1f}).",
        "",
        "| measure | median | min | max | baseline median | ratio | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for key, s in f["pages"].items():
        target = PAGE_TARGETS_MS.get(key)
        met = "" if target is None else ("yes" if s["median"] * 1000 < target else "**no**")
        lines.append(f"| {labels[key]} | {s['median'] * 1000:.1f} ms | {s['min'] * 1000:.1f} ms | "
                     f"{s['max'] * 1000:.1f} ms | {b * 1000:.1f} ms | {s['median'] / b:.1f}× | "
                     f"{f'< {target} ms' if target else '—'} | {met} |")
    lines += raw_table(f, labels)
    if f["exports"]:
        lines += [
            "",
            "| export | rows | size | median | min | max | baseline median | ratio | peak RSS (max of runs) | "
            "RSS before the request | targets | met |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|",
        ]
        for key, e in f["exports"].items():
            kind, fmt = key.split(".")
            target = EXPORT_TARGETS_S[(kind, fmt)]
            s, eb = e["time"], e["baseline"]["median"]
            ok = s["median"] < target and e["rss_mb"] < RSS_TARGET_MB
            rows = c["employees"] if kind == "assessment" else c["requirements"]
            lines.append(
                f"| {kind} {fmt.upper()} | {rows:,} | {e['bytes'] / 1e6:.1f} MB | {s['median']:.2f} s | "
                f"{s['min']:.2f} s | {s['max']:.2f} s | {eb * 1000:.1f} ms | {s['median'] / eb:,.0f}× | "
                f"{e['rss_mb']:.0f} MB | {e['rss_before_mb']:.0f} MB | < {target} s, < {RSS_TARGET_MB} MB | "
                f"{'yes' if ok else '**no**'} |")
    return "\n".join(lines) + "\n"


def raw_table(f: dict, labels: dict) -> list[str]:
    """The pages measured against their own raw query (figures from before it was measured have none), and
    against that query plus the layout baseline (figures from before the baseline was measured have none)."""
    if not f.get("raw"):
        return []
    lines = ["", "Each page against its own raw query (`bench/raw_queries.py`: the SQL the page needs, run "
             "directly), timed in the same runs; target (issue #13): within "
             f"{RAW_RATIO_TARGET}× of it and under {RAW_PAGE_TARGET_MS} ms.", "",
             "| page | page median | raw query median | raw min | raw max | ratio | target | met |",
             "|---|---:|---:|---:|---:|---:|---:|:-:|"]
    for key, r in f["raw"].items():
        page = f["pages"][key]["median"]
        ratio = page / r["median"]
        met = ratio <= RAW_RATIO_TARGET and page * 1000 < RAW_PAGE_TARGET_MS
        lines.append(f"| {labels[key]} | {page * 1000:.1f} ms | {r['median'] * 1000:.1f} ms | "
                     f"{r['min'] * 1000:.1f} ms | {r['max'] * 1000:.1f} ms | {ratio:.2f}× | "
                     f"≤ {RAW_RATIO_TARGET}×, < {RAW_PAGE_TARGET_MS} ms | {'yes' if met else '**no**'} |")
    return lines + layout_table(f, labels)


def layout_table(f: dict, labels: dict) -> list[str]:
    """Each page against its raw query plus what an HR page with no data costs (the layout baseline)."""
    layout = f["pages"].get("layout")
    if layout is None:
        return []
    lines = ["", "The same pages against their raw query plus the layout baseline (`/hr/roster`, the same HR "
             "user's page with the same layout and no data: what any HR page costs before its own query and rows), "
             "timed in the same runs.", "",
             "| page | page median | raw query median | layout baseline median | raw + layout | ratio | "
             f"within {RAW_RATIO_TARGET}× |", "|---|---:|---:|---:|---:|---:|:-:|"]
    for key, r in f["raw"].items():
        page, floor = f["pages"][key]["median"], r["median"] + layout["median"]
        lines.append(f"| {labels[key]} | {page * 1000:.1f} ms | {r['median'] * 1000:.1f} ms | "
                     f"{layout['median'] * 1000:.1f} ms | {floor * 1000:.1f} ms | {page / floor:.2f}× | "
                     f"{'yes' if page / floor <= RAW_RATIO_TARGET else '**no**'} |")
    return lines


if __name__ == "__main__":
    main()
