"""Public play through nginx against 1 and 2 app instances (issue #13, "beyond one machine").

For each instance count, deploy/stack.sh starts PostgreSQL, Redis (the rate limits), N gunicorn
instances of 2 sync workers and nginx in front; then, through nginx, as bench/public/load.py does:
prepared first answers posted as the page's script posts them, and whole plays (23 requests). The
CPU time the app instances and PostgreSQL spent during the answer runs (from /proc) gives the
capacity table: answers per second per core of each, and the players that carries at one answer
every 8 seconds.

    .venv/bin/python bench/public/stack_load.py --instances 1 2 --runs 3 --seconds 8 \\
        --out bench/public/results/3-stack.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load import (  # noqa: E402
    CAMPAIGN,
    ROOT,
    SECONDS_PER_ANSWER,
    TRACK,
    app_env,
    free_port,
    median_of,
    prepare_answers,
    prepare_database,
    wrk,
)

STACK = ROOT / "deploy" / "stack.sh"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pattern: str) -> float:
    """User + system CPU seconds of every process whose command line matches ``pattern``."""
    pids = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


class Stack:
    def __init__(self, instances: int):
        self.dir = Path(tempfile.mkdtemp(prefix="xiaobao-bench-stack-"))
        os.chmod(self.dir, 0o777)
        self.ports = [free_port() for _ in range(instances)]
        self.http, pg = free_port(), free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{pg}/xiaobao"
        self.env = {**app_env(self.url), "STACK_DIR": str(self.dir), "STACK_HTTP_PORT": str(self.http),
                    "STACK_PG_PORT": str(pg), "STACK_REDIS_PORT": str(free_port()),
                    "STACK_APP_PORTS": " ".join(map(str, self.ports))}

    def __enter__(self):
        subprocess.run(["bash", str(STACK), "start"], env=self.env, check=True, capture_output=True, timeout=300)
        prepare_database(self.url, self.env)  # the campaign running today
        return self

    def __exit__(self, *exc):
        subprocess.run(["bash", str(STACK), "stop"], env=self.env, capture_output=True, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)

    def cpu(self) -> tuple[float, float]:
        """(app instances, PostgreSQL) CPU seconds so far."""
        app = sum(cpu_seconds(f"127.0.0.1:{port}") for port in self.ports)
        return app, cpu_seconds("postgres: postgres xiaobao ")  # the backends serving the stack's database


def measure(instances: int, args) -> dict:
    with Stack(instances) as stack:
        front = f"http://127.0.0.1:{stack.http}"
        answers, cpu = [], []
        for run in range(args.runs):
            requests_file = stack.dir / f"answers-{run}.tsv"
            prepare_answers(stack.http, stack.url, args.answers, requests_file)
            before = stack.cpu()
            result = wrk(front, seconds=args.seconds, connections=args.connections, threads=2,
                         script=HERE / "answers.lua", env={"REQUESTS": str(requests_file), "THREADS": "2"})
            after = stack.cpu()
            if result.get("wrapped"):
                raise RuntimeError("the prepared answers ran out: raise --answers")
            answers.append(result)
            cpu.append(((after[0] - before[0]) / result["requests"], (after[1] - before[1]) / result["requests"]))
        plays = [wrk(front, seconds=args.seconds, connections=args.connections, threads=args.connections,
                     script=HERE / "play.lua", env={"CAMPAIGN": CAMPAIGN, "TRACK": TRACK, "QUESTIONS": "10"})
                 for _ in range(args.runs)]
    return {"answers": answers, "plays": plays, "cpu": cpu}


def render(results: dict[int, dict], args) -> str:
    base = median_of(results[min(results)]["answers"], "rps")
    lines = [
        f"### Through nginx: {', '.join(str(n) for n in results)} app instance(s)",
        "",
        f"deploy/stack.sh (PostgreSQL {args.pg_version}, Redis for the rate limits, nginx), each instance gunicorn "
        f"2 sync workers; wrk {args.connections} connections, {args.runs} runs of {args.seconds} s (median), "
        f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs shared by everything, "
        f"{platform.python_implementation()} {platform.python_version()}.",
        "",
        "| instances | answers/s | vs 1 instance | answer p99 ms | errors | plays/s | play p99 ms | app CPU ms per answer "
        "| PostgreSQL CPU ms per answer |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, found in results.items():
        rps = median_of(found["answers"], "rps")
        plays = statistics.median(r.get("plays", 0) / args.seconds for r in found["plays"])
        app_ms = statistics.median(c[0] for c in found["cpu"]) * 1000
        pg_ms = statistics.median(c[1] for c in found["cpu"]) * 1000
        errors = sum(r["errors"] + r.get("answers_not_200", 0) for r in found["answers"])
        lines.append(f"| {count} | {rps:,.0f} | {rps / base:.2f}× | {median_of(found['answers'], 'p99'):.0f} | {errors} | "
                     f"{plays:.1f} | {median_of(found['plays'], 'p99'):.0f} | {app_ms:.2f} | {pg_ms:.2f} |")
    found = results[max(results)]
    app_ms = statistics.median(c[0] for c in found["cpu"]) * 1000
    pg_ms = statistics.median(c[1] for c in found["cpu"]) * 1000
    lines += [
        "",
        "Capacity for planning (from the CPU each answer cost above; one answer every "
        f"{SECONDS_PER_ANSWER} s per player):",
        "",
        "| per core of | answers/s | players answering at once |",
        "|---|---:|---:|",
        f"| app server (gunicorn sync workers) | {1000 / app_ms:,.0f} | {1000 / app_ms * SECONDS_PER_ANSWER:,.0f} |",
        f"| PostgreSQL | {1000 / pg_ms:,.0f} | {1000 / pg_ms * SECONDS_PER_ANSWER:,.0f} |",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--answers", type=int, default=1500, help="plays prepared per run (10 answers each)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.pg_version = subprocess.run(["bash", "-c", "ls -d /usr/lib/postgresql/*/ | sort -V | tail -1 | xargs basename"],
                                     capture_output=True, text=True).stdout.strip()
    results = {count: measure(count, args) for count in args.instances}
    report = render(results, args)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
