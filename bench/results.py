"""Write bench/RESULTS.md from the JSON files bench/run.py wrote (--json), without retyping a figure.

    .venv/bin/python bench/results.py --sqlite /tmp/bench/sqlite.json --postgresql /tmp/bench/pg.json \
        [--before-sqlite /tmp/bench/before-sqlite.json --before-postgresql /tmp/bench/before-pg.json]

The tables are rendered by the same function that printed them in run.py; the notes at the end are
the only hand-written part (they name no figure that is not in the tables).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import EXPORT_TARGETS_S, LAYOUT_LABEL, PAGE_TARGETS_MS, RSS_TARGET_MB, render  # noqa: E402

COMMANDS = """\
```sh
# SQLite
.venv/bin/python bench/generate.py --db sqlite:////tmp/bench/bench.db --fresh
.venv/bin/python bench/run.py --db sqlite:////tmp/bench/bench.db --markdown /tmp/bench/sqlite.md --json /tmp/bench/sqlite.json

# PostgreSQL 15, throw-away cluster (see bench/README.md for initdb / pg_ctl):
#   -p 55440 -c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=4GB
#   -c synchronous_commit=off   (fsync on, everything else default; locale C.UTF-8)
.venv/bin/python bench/generate.py --db postgresql://postgres@127.0.0.1:55440/xiaobao_bench --fresh
.venv/bin/python bench/run.py --db postgresql://postgres@127.0.0.1:55440/xiaobao_bench \\
    --markdown /tmp/bench/pg.md --json /tmp/bench/pg.json

# this file
.venv/bin/python bench/results.py --sqlite /tmp/bench/sqlite.json --postgresql /tmp/bench/pg.json \\
    --before-sqlite /tmp/bench/before-sqlite.json --before-postgresql /tmp/bench/before-pg.json
```
"""

LABELS = {
    "overview": "Head-office overview `/hr`",
    "branch": "Branch drill-down `/hr?unit=BK0100`",
    "sub_branch": "Sub-branch drill-down `/hr?unit=BK0101` (employee list)",
    "overdue": "Head-office overdue list `/hr/overdue` (first 500)",
    "assignments": "Assignments page `/hr/assignments` (figures per assignment)",
    "transcript": "Employee transcript `/hr/employees/B000901`",
    "api": "API first page `/api/v1/completions` (500 records)",
    "layout": LAYOUT_LABEL,
}



def _numbered(paths, skip: str = "") -> list[str]:
    """Result files in the order of their leading number (2-... before 10-...)."""
    def number(path) -> int:
        found = re.match(r"\d+", path.name)
        return int(found.group()) if found else -1
    return [str(p) for p in sorted(paths, key=lambda p: (number(p), p.name)) if p.name != skip]

def summary(runs: dict[str, dict]) -> list[str]:
    lines = ["| target | " + " | ".join(runs) + " |", "|---|" + "---|" * len(runs)]
    for key, target in PAGE_TARGETS_MS.items():
        cells = []
        for f in runs.values():
            median = f["pages"][key]["median"] * 1000
            cells.append(f"{median:.1f} ms — {'met' if median < target else '**not met**'}")
        lines.append(f"| {LABELS[key]} median < {target} ms | " + " | ".join(cells) + " |")
    for (kind, fmt), target in EXPORT_TARGETS_S.items():
        cells = []
        for f in runs.values():
            e = f["exports"][f"{kind}.{fmt}"]
            ok = e["time"]["median"] < target and e["rss_mb"] < RSS_TARGET_MB
            cells.append(f"{e['time']['median']:.2f} s, {e['rss_mb']:.0f} MB — {'met' if ok else '**not met**'}")
        lines.append(f"| {kind} export {fmt.upper()} median < {target} s, peak RSS < {RSS_TARGET_MB} MB | "
                     + " | ".join(cells) + " |")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", required=True)
    parser.add_argument("--postgresql", required=True)
    parser.add_argument("--before-sqlite")
    parser.add_argument("--before-postgresql")
    parser.add_argument("--notes", default=str(HERE / "RESULTS-notes.md"))
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--public", nargs="*", default=_numbered((HERE / "public" / "results").glob("*.md")),
                        help="public play load results written by bench/public/load.py (issue #5)")
    parser.add_argument("--redesign", nargs="*",
                        default=_numbered((HERE / "redesign_results").glob("[0-9]*.md")),
                        help="before/after figures of the layering redesign (issue #11), written by run.py")
    parser.add_argument("--roster", nargs="*",
                        default=_numbered((HERE / "roster_results").glob("[0-9]*.md")),
                        help="roster import results written by bench/roster.py --markdown (issue #10)")
    parser.add_argument("--banks", nargs="*",
                        default=_numbered((HERE / "banks_results").glob("[0-9]*.md")),
                        help="question-bank import results written by bench/banks.py --markdown (issue #12)")
    parser.add_argument("--hr", nargs="*",
                        default=_numbered((HERE / "hr_results").glob("*.md"), skip="RESULTS-intro.md"),
                        help="the HR pages before and after issue #13's changes, written by run.py --markdown")
    parser.add_argument("--file-sections-only", action="store_true",
                        help="keep RESULTS.md up to the public-play section and write again the sections made from "
                             "the files in bench/ (public play, roster, redesign, HR pages, question banks): no JSON of "
                             "run.py needed")
    args = parser.parse_args(argv)
    if args.file_sections_only:
        rewrite_file_sections(args)
        return
    runs = {"SQLite": json.loads(Path(args.sqlite).read_text()),
            "PostgreSQL": json.loads(Path(args.postgresql).read_text())}
    m = runs["SQLite"]["machine"]
    lines = [
        "# Scale benchmark results",
        "",
        "Produced by `bench/run.py` (tables) and `bench/results.py` (this file) — no figure is typed by hand.",
        "",
        f"- Measured: SQLite {runs['SQLite']['date']}, PostgreSQL {runs['PostgreSQL']['date']}",
        f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, Linux {m['kernel']}, Python {m['python']};"
        " other sessions share it (the lead's test runs), so single runs can be noisy — see min / max.",
        f"- Data: bench/generate.py defaults — {runs['SQLite']['counts']['employees']:,} employees, "
        f"{runs['SQLite']['counts']['org_units']} org units in 3 levels, 20 courses, "
        f"{runs['SQLite']['counts']['requirements']:,} requirements (period {runs['SQLite']['period']}).",
        "",
        "## Commands",
        "",
        COMMANDS,
        "## Targets (issue #4)",
        "",
        *summary(runs),
        "",
        "## Results",
        "",
    ]
    for f in runs.values():
        lines += [render(f, LABELS), ""]
    before = {name: json.loads(Path(path).read_text()) for name, path in
              (("SQLite", args.before_sqlite), ("PostgreSQL", args.before_postgresql)) if path}
    if before:
        lines += ["## Before the changes (same databases, the code of the last commit, pages only)", "",
                  "The same run.py on an export of `HEAD` (`git archive HEAD | tar -x -C /tmp/bench/orig`, then "
                  "`cd /tmp/bench/orig && …/.venv/bin/python bench/run.py --db … --runs 5 --skip-exports --json "
                  "/tmp/bench/before-….json`), against the same generated databases.", ""]
        for f in before.values():
            lines += [render(f, LABELS), ""]
    notes = Path(args.notes)
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    lines += file_sections(args)
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


PUBLIC_HEADING = "# Public quiz play under load (issue #5)"


def file_sections(args) -> list[str]:
    """The sections made from the Markdown files the other bench scripts wrote into bench/."""
    lines = []
    if args.public:
        intro = HERE / "public" / "RESULTS-intro.md"
        lines += [PUBLIC_HEADING, ""]
        if intro.exists():
            lines += [intro.read_text(encoding="utf-8").rstrip(), ""]
        lines += [Path(p).read_text(encoding="utf-8").rstrip() + "\n" for p in args.public]
    if args.roster:
        lines += ["# Staff roster import at scale (issue #10)", "",
                  (HERE / "roster_results" / "RESULTS-intro.md").read_text(encoding="utf-8").rstrip(), ""]
        lines += [Path(p).read_text(encoding="utf-8").rstrip() + "\n" for p in args.roster]
    if args.redesign:
        lines += ["# The layering redesign (issue #11): before and after", "",
                  (HERE / "redesign_results" / "RESULTS-intro.md").read_text(encoding="utf-8").rstrip(), ""]
        lines += [Path(p).read_text(encoding="utf-8").rstrip() + "\n" for p in args.redesign]
    if args.hr:
        lines += ["# HR pages at bank scale (issue #13)", "",
                  (HERE / "hr_results" / "RESULTS-intro.md").read_text(encoding="utf-8").rstrip(), ""]
        lines += [Path(p).read_text(encoding="utf-8").rstrip() + "\n" for p in args.hr]
    return lines + banks_section(args.banks)


def rewrite_file_sections(args) -> None:
    out = Path(args.out)
    kept = out.read_text(encoding="utf-8").split(PUBLIC_HEADING, 1)[0].rstrip("\n").split("\n")
    out.write_text("\n".join(kept + [""] + file_sections(args)), encoding="utf-8")
    print(f"wrote {out}")


def banks_section(paths: list[str]) -> list[str]:
    """The question-bank import section (issue #12), from the files bench/banks.py wrote."""
    if not paths:
        return []
    return (["# Question-bank import (issue #12)", "",
             (HERE / "banks_results" / "RESULTS-intro.md").read_text(encoding="utf-8").rstrip(), ""]
            + [Path(p).read_text(encoding="utf-8").rstrip() + "\n" for p in paths])


if __name__ == "__main__":
    main()
