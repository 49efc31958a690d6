"""Load benchmark of public quiz play (issue #5): gunicorn + wrk on 127.0.0.1, bounded in time.

For one database (SQLite file or PostgreSQL URL) it measures, each as the median of several runs:

1. the ceiling: a bare Flask JSON endpoint on the same gunicorn settings;
2. the real answer endpoint (its play-bound CSRF token, rate limit, grading, INSERT, COMMIT), every
   request a distinct first answer prepared beforehand;
3. whole plays: open the campaign, start, then for each of 10 questions read it and answer it as the
   page's script does (the answered state comes back in the answer's response), then the results
   page (23 requests per play, one connection per player).

Usage:  .venv/bin/python bench/public/load.py --db sqlite --out bench/results/public-sqlite.md
        .venv/bin/python bench/public/load.py --db postgresql://user@127.0.0.1:5432/bench ...
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
FLASK = ROOT / ".venv" / "bin" / "flask"
CAMPAIGN = "antifraud-winter-2026"
TRACK = "young-worker"
SECONDS_PER_ANSWER = 8  # a player reads, thinks and taps: about one answer every 8 seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers on a loopback port (the settings the targets were set with)."""

    def __init__(self, module: str, env: dict, workers: int):
        self.port = free_port()
        # the server's log in a file (a pipe nobody reads would stall the workers once full)
        self.log = Path(tempfile.gettempdir()) / f"xb-bench-{module.split(':')[0]}-{self.port}.log"
        self.process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--backlog", "2048", "--pythonpath", str(HERE), module],
            cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"), start_new_session=True,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn for {module} did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def wrk(url: str, *, seconds: int, connections: int, threads: int, script: Path | None = None,
        env: dict | None = None) -> dict:
    threads = min(threads, connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, env={**os.environ, **(env or {})},
                            timeout=seconds + 60).stdout
    return parse_wrk(output)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    result = {"raw": output}
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    result["p50"] = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    result["p99"] = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["errors"] = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    if found := re.search(r"RESULT (.*)", output):
        for key, value in re.findall(r"(\w+)=(\d+)", found.group(1)):
            result[key] = int(value)
    return result


def app_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url, "FLASK_APP": "wsgi", "LOG_LEVEL": "WARNING",
        # the limiter still runs on every request; the limits are raised because every request of
        # the benchmark comes from one address (127.0.0.1)
        "FLASK_PUBLIC_ANSWER_RATE_LIMIT": "100000000 per minute",
        "FLASK_PUBLIC_PLAY_RATE_LIMIT": "100000000 per minute",
        "FLASK_PUBLIC_RATE_LIMIT": "100000000 per minute",
        "FLASK_PUBLIC_PLAYS_PER_ADDRESS_PER_DAY": "100000000 per day",
        "SECRET_KEY": "bench-secret-key",
    })
    return env


def prepare_database(database_url: str, env: dict) -> None:
    """Schema by migrations, the bundled content, the campaign running today."""
    for command in (["db", "upgrade"], ["content", "sync"]):
        subprocess.run([str(FLASK), *command], cwd=str(ROOT), env=env, check=True, capture_output=True)
    code = (
        "from datetime import timedelta\n"
        "from sqlalchemy import select\n"
        "from app import create_app\n"
        "from app.core.time import local_now\n"
        "from app.extensions import db\n"
        "from app.public.models import Campaign\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    c = db.session.scalar(select(Campaign).where(Campaign.slug == '{CAMPAIGN}'))\n"
        "    today = local_now().date()\n"
        "    c.starts_on, c.ends_on, c.attempts_per_day = today - timedelta(days=1), today + timedelta(days=30), 1000\n"
        "    db.session.commit()\n"
    )
    subprocess.run([str(PYTHON), "-c", code], cwd=str(ROOT), env=env, check=True)


def _kept(response, jar: dict[str, str]) -> str:
    """The Cookie header a browser sends after ``response``: ``jar`` updated with what it set."""
    for header in response.msg.get_all("Set-Cookie") or ():
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def _start_play(port: int) -> tuple[str, str, str]:
    """Open the campaign, start a play as a new player and read its first question: (play token, cookie
    header, the answer form's csrf token). Cookies are kept as a browser keeps them (a public visitor
    has only the player cookie; a session, should a response set one, is sent from then on)."""
    jar = {"xb_player": secrets.token_urlsafe(24)}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/c/{CAMPAIGN}", headers={"Cookie": f"xb_player={jar['xb_player']}"})
    response = conn.getresponse()
    body = response.read().decode()
    cookie = _kept(response, jar)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"csrf_token": csrf, "track": TRACK})
    conn.request("POST", f"/c/{CAMPAIGN}/play", body=form,
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    body = response.read().decode(errors="replace")
    conn.close()
    if response.status != 302:
        raise RuntimeError(f"starting a play answered {response.status}, not 302: {body[:200]!r}")
    token = re.match(r".*/p/([^/]+)/1$", response.getheader("Location")).group(1)
    cookie = _kept(response, jar)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/p/{token}/1", headers={"Cookie": cookie})
    page = conn.getresponse().read().decode()
    conn.close()
    answer_form = page.split('class="answer-form"', 1)[1]  # its token is the play's own (bound to the player)
    return token, cookie, re.search(r'name="csrf_token" value="([^"]+)"', answer_form).group(1)


def prepare_answers(port: int, database_url: str, plays: int, path: Path) -> None:
    """Start ``plays`` plays over HTTP and write one distinct first answer per (play, question)."""
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        started = list(pool.map(lambda _: _start_play(port), range(plays)))
    from sqlalchemy import create_engine, text

    from app.config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as conn:
        drawn = dict(conn.execute(text("SELECT token, drawn FROM public_plays")).all())
    engine.dispose()
    import json

    with path.open("w") as out:
        for token, cookie, csrf in started:
            questions = drawn[token] if isinstance(drawn[token], list) else json.loads(drawn[token])
            for position, (question_id, *_rest) in enumerate(questions, 1):
                body = urllib.parse.urlencode({"csrf_token": csrf, "question": question_id, "choice": "0"})
                out.write(f"/p/{token}/{position}\t{cookie}\t{body}\n")


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a fresh file) or a PostgreSQL URL (emptied first)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only-answers", action="store_true", help="skip the whole-play runs")
    parser.add_argument("--out", type=Path, help="write the Markdown result here")
    parser.add_argument("--title", help="the section's heading (default: the database's name)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="xb-public-bench-"))
    if args.db == "sqlite":
        database_url, label = f"sqlite:///{work}/public.db", "SQLite"
    else:
        database_url, label = args.db, "PostgreSQL"
        from sqlalchemy import create_engine, text

        from app.config import normalise_database_url

        engine = create_engine(normalise_database_url(database_url))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    env = app_env(database_url)
    prepare_database(database_url, env)

    bare = Server("bare_app:app", env, args.workers)
    server = Server("wsgi:app", env, args.workers)
    try:
        wrk(f"http://127.0.0.1:{bare.port}/json", seconds=2, connections=args.connections, threads=2)  # warm up
        bare_runs = [wrk(f"http://127.0.0.1:{bare.port}/json", seconds=args.seconds, connections=args.connections,
                         threads=2) for _ in range(args.runs)]
        floor_runs, answer_runs = _answer_runs(args, work, database_url, bare, server, median_of(bare_runs, "rps"))
        play_runs = [wrk(f"http://127.0.0.1:{server.port}", seconds=args.seconds, connections=args.connections,
                         threads=args.connections, script=HERE / "play.lua",
                         env={"CAMPAIGN": CAMPAIGN, "TRACK": TRACK, "QUESTIONS": "10"})
                     for _ in range(0 if args.only_answers else args.runs)]
    finally:
        bare.stop()
        server.stop()

    report = render(label, args, bare_runs, answer_runs, play_runs, floor_runs)
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _answer_runs(args, work: Path, database_url: str, bare: Server, server: Server, ceiling: float):
    """Each run: fresh first answers, posted once to the floor endpoint and once to the app's, one after
    the other, so that the ratio of the two is measured in the same minute."""
    per_run = max(int(ceiling * args.seconds / 10), 800)  # plays of 10 answers: more than even the floor takes
    floor_runs, answer_runs = [], []
    for run in range(args.runs):
        requests_file = work / f"answers-{run}.tsv"
        prepare_answers(server.port, database_url, per_run, requests_file)
        for port, prefix, runs in ((bare.port, "/floor", floor_runs), (server.port, "", answer_runs)):
            result = wrk(f"http://127.0.0.1:{port}", seconds=args.seconds, connections=args.connections, threads=2,
                         script=HERE / "answers.lua",
                         env={"REQUESTS": str(requests_file), "THREADS": "2", "PREFIX": prefix})
            if result.get("wrapped"):
                raise RuntimeError("the prepared answers ran out: raise per_run")
            runs.append(result)
    return floor_runs, answer_runs


def _list(runs: list[dict], key: str = "rps") -> str:
    return ", ".join(f"{r[key]:,.0f}" for r in runs)


def render(label: str, args, bare_runs, answer_runs, play_runs, floor_runs) -> str:
    ceiling = median_of(bare_runs, "rps")
    answers = median_of(answer_runs, "rps")
    floor = median_of(floor_runs, "rps")
    ratios = [a["rps"] / f["rps"] for a, f in zip(answer_runs, floor_runs, strict=True) if f["rps"]]
    if not play_runs:
        play_runs = [{"rps": 0, "p50": 0, "p99": 0, "errors": 0, "plays": 0}]
    plays_per_second = statistics.median(r.get("plays", 0) / args.seconds for r in play_runs)
    play_errors = sum(r["errors"] + r.get("failed_flows", 0) for r in play_runs)
    answer_errors = sum(r["errors"] + r.get("answers_not_200", 0) for r in answer_runs)
    floor_target = 0.50 if label == "SQLite" else 0.60
    per_play = ", ".join(f"{r.get('plays', 0) / args.seconds:.1f}" for r in play_runs)
    lines = [
        f"### {args.title or label}",
        "",
        f"gunicorn {args.workers} sync workers, wrk {args.connections} connections, {args.runs} runs of {args.seconds} s "
        f"each (median), {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}.",
        "",
        "| measurement | req/s (median) | runs | p50 ms | p99 ms | errors | vs bare JSON |",
        "|---|---:|---|---:|---:|---:|---:|",
        f"| bare Flask JSON endpoint (ceiling) | {ceiling:,.0f} | {_list(bare_runs)} | "
        f"{median_of(bare_runs, 'p50'):.1f} | {median_of(bare_runs, 'p99'):.1f} | {sum(r['errors'] for r in bare_runs)} | 100% |",
        f"| the floor: read the play, INSERT, COMMIT with the driver alone | {floor:,.0f} | {_list(floor_runs)} | "
        f"{median_of(floor_runs, 'p50'):.1f} | {median_of(floor_runs, 'p99'):.1f} | "
        f"{sum(r['errors'] + r.get('answers_not_200', 0) for r in floor_runs)} | {floor / ceiling:.1%} |",
        f"| answer endpoint (first answers: CSRF, limiter, grading, INSERT, COMMIT, the answered state) | {answers:,.0f} | "
        f"{_list(answer_runs)} | {median_of(answer_runs, 'p50'):.1f} | "
        f"{median_of(answer_runs, 'p99'):.1f} | {answer_errors} | {answers / ceiling:.1%} |",
        f"| whole plays, all 23 requests (campaign, start, 10 × question/answer, results) | "
        f"{median_of(play_runs, 'rps'):,.0f} | {_list(play_runs)} | "
        f"{median_of(play_runs, 'p50'):.1f} | {median_of(play_runs, 'p99'):.1f} | {play_errors} | "
        f"{median_of(play_runs, 'rps') / ceiling:.1%} |",
        "",
        f"- Answers: **{answers:,.0f}/s = {statistics.median(ratios):.0%} of the floor** (median of the per-run "
        f"ratios {', '.join(f'{r:.0%}' for r in ratios)}; target ≥ {floor_target:.0%}), {answers / ceiling:.1%} of "
        f"the bare JSON ceiling, p99 {median_of(answer_runs, 'p99'):.0f} ms, {answer_errors} errors (target 0).",
        f"- Whole plays: **{plays_per_second:,.1f} plays/s** (median; completed plays per second: "
        f"{per_play}).",
        f"- At one answer every {SECONDS_PER_ANSWER} s per player, {answers:,.0f} answers/s carry about "
        f"**{answers * SECONDS_PER_ANSWER:,.0f} players answering at the same time**.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
