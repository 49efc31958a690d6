"""Public play that holds under load and tricks; files that cannot harm whoever opens or uploads them."""

from __future__ import annotations

import csv
import io
import os
import threading
import time
import tracemalloc
import zipfile
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth.models import Role
from app.core.time import utcnow
from app.core.uploads import UploadStore
from app.extensions import db
from app.public.models import PublicAnswer, PublicPlay
from tests.conftest import csrf_token, login
from tests.public.conftest import page_token, play_row, play_through, start_play

PLAYER = "a-player-cookie-of-thirty-chars-x"


def test_ten_parallel_starts_never_exceed_the_daily_cap(app, campaign):
    campaign.attempts_per_day = 3
    db.session.commit()
    barrier = threading.Barrier(10)
    codes: list[int] = []
    token_client = app.test_client()
    token_client.set_cookie("xb_player", PLAYER)
    token = page_token(token_client, f"/c/{campaign.slug}")

    errors: list[BaseException] = []
    slug = campaign.slug

    def start():
        try:
            with app.app_context():  # each thread is a request of its own, as on a real server
                client = app.test_client()
                client.set_cookie("xb_player", PLAYER)  # the form's token is the player cookie's
                barrier.wait()
                response = client.post(f"/c/{slug}/play", data={"csrf_token": token, "track": "elderly"})
                codes.append(response.status_code)
                db.session.remove()
        except BaseException as error:  # surfaced below: a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(codes) == 10
    assert db.session.scalar(select(func.count(PublicPlay.id))) == 3
    assert sorted(db.session.scalars(select(PublicPlay.seq))) == [1, 2, 3]


def test_one_address_has_a_daily_limit_of_its_own(app, campaign):
    app.config["PUBLIC_PLAYS_PER_ADDRESS_PER_DAY"] = "4 per day"
    codes = []
    for n in range(6):  # six different players (cookies) behind one address
        client = app.test_client()
        client.set_cookie("xb_player", f"player-{n}-cookie-of-thirty-characters")
        token = page_token(client, f"/c/{campaign.slug}")
        codes.append(client.post(f"/c/{campaign.slug}/play", data={"csrf_token": token, "track": "elderly"}).status_code)
    assert codes == [302, 302, 302, 302, 429, 429]
    assert db.session.scalar(select(func.count(PublicPlay.id))) == 4


def test_a_play_answered_faster_than_anyone_reads_stays_off_the_board(app, client, campaign):
    app.config["PUBLIC_MIN_SECONDS_PER_QUESTION"] = 2
    fast = start_play(client, campaign, nickname="快手")
    play_through(client, fast)
    assert play_row(fast).finished_at is not None and not play_row(fast).plausible
    page = client.get(f"/p/{fast}/result").get_data(as_text=True)
    assert "不在排行榜上" in page or "not on the leaderboard" in page
    other = app.test_client()
    slow = start_play(other, campaign, nickname="慢慢")
    row = play_row(slow)
    row.started_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    for position in range(1, 11):  # a person: one answer every 20 seconds
        from tests.public.conftest import answer

        answer(other, slow, position)
        last = db.session.scalar(select(PublicAnswer).join(PublicPlay).where(
            PublicPlay.token == slow, PublicAnswer.position == position))
        last.answered_at = row.started_at + timedelta(seconds=20 * position)
        db.session.commit()
    play_row(slow).finished_at = None  # score it again with the human timings
    db.session.commit()
    from app.public import services

    services.finish(play_row(slow), services.answers_of(play_row(slow)), min_seconds=2)
    db.session.commit()
    board = client.get(f"/c/{campaign.slug}/leaderboard?board=all").get_data(as_text=True)
    assert "慢*" in board and "快*" not in board


def _hr_with_formula_names(client, make_user):
    make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr")
    text = ('工号,姓名,机构代码,岗位,入职日期,状态\n'
            'E70001,"=HYPERLINK(""http://x"",""y"")",BJ01,柜员,2023-05-06,在职\n'
            'E70002,+SUM(1),BJ01,@柜员,2023-05-06,在职\n')  # text a person typed, not formulas
    token = csrf_token(client, "/hr/roster")
    preview = client.post("/hr/roster", data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "r.csv")},
                          content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    apply_token = __import__("re").search(r'name="token"[^>]*value="([0-9a-f]{32})"', preview).group(1)
    client.post("/hr/roster/apply", data={"csrf_token": token, "token": apply_token})


def test_formula_like_names_come_out_inert_in_every_export(client, make_user, tiny_content):
    from app.assignments import rules, services
    from app.content.models import Course
    from app.org.services import get_by_code

    _hr_with_formula_names(client, make_user)
    course = db.session.scalar(select(Course))
    hr = db.session.scalar(select(__import__("app.auth.models", fromlist=["User"]).User).where(
        __import__("app.auth.models", fromlist=["User"]).User.username == "hr"))
    services.create_assignment(course, audience=get_by_code("HO"), positions=[], actor=hr, scope=None,
                               today=utcnow().date(),
                               rule=rules.DueRule("fixed", "once", utcnow().date(), due_date=utcnow().date()))
    db.session.commit()
    for kind in ("assessment", "requirements"):
        for fmt in ("csv", "xlsx"):
            token = csrf_token(client, "/hr/exports")
            response = client.post(f"/hr/exports/{kind}.{fmt}?period=once&unit=HO", data={"csrf_token": token})
            assert response.status_code == 200, (kind, fmt, response.status_code)
            if fmt == "csv":
                cells = [c for row in csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))) for c in row]
                assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'+SUM(1)" in cells
                assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
            else:
                book = load_workbook(io.BytesIO(response.get_data()))
                cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
                assert all(c.data_type != "f" for c in cells)
                assert '=HYPERLINK("http://x","y")' in [c.value for c in cells]


def multipart(fields: dict, file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a large file to an unclosed temp file)."""
    boundary = "xiaobao-test-boundary"
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
             for k, v in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{filename}\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _zip_bomb(path) -> bytes:
    """A workbook-shaped zip of about 1 MB that unpacks to about 1 GB."""
    if not path.exists():
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
            bomb.writestr("[Content_Types].xml", "<Types/>")
            with bomb.open("xl/worksheets/sheet1.xml", "w") as part:
                chunk = b"\0" * (1024 * 1024)
                for _ in range(1024):
                    part.write(chunk)
    return path.read_bytes()


def test_a_zip_bomb_is_refused_at_once_without_memory_growing(app, client, make_user, tmp_path_factory):
    bomb = _zip_bomb(tmp_path_factory.getbasetemp() / "bomb.xlsx")
    assert len(bomb) < 1.2 * 1024 * 1024
    make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr")
    token = csrf_token(client, "/hr/roster")
    body, content_type = multipart({"csrf_token": token}, "file", "roster.xlsx", bomb)
    tracemalloc.start()
    started = time.perf_counter()
    response = client.post("/hr/roster", data=body, content_type=content_type)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 400 and "256 MB" in response.get_data(as_text=True)
    assert elapsed < 2 and peak < 50 * 1024 * 1024, (elapsed, peak)


def test_unapplied_uploads_are_swept_after_a_day(app, runner, tmp_path):
    store = UploadStore(tmp_path / "instance" / "uploads" / "roster")
    old = store.save(b"old", "old.csv", 1)
    day_old = time.time() - 25 * 3600
    for path in store.root.glob(f"{old}.*"):
        os.utime(path, (day_old, day_old))
    fresh = store.save(b"new", "new.csv", 1)  # saving sweeps
    assert store.load(old, 1) is None and store.load(fresh, 1) is not None
    for path in store.root.glob(f"{fresh}.*"):
        os.utime(path, (day_old, day_old))
    result = runner.invoke(args=["uploads", "sweep"])
    assert result.exit_code == 0 and "1 unapplied upload" in result.output
    assert store.load(fresh, 1) is None
    again = runner.invoke(args=["uploads", "sweep"])  # cron's next run, or a second server's
    assert again.exit_code == 0 and "0 unapplied upload" in again.output



def test_an_export_period_with_foreign_text_or_a_line_break_is_a_400(client, make_user):
    make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr")
    token = csrf_token(client, "/hr/exports")
    for period in ("二〇二六", "2026\r\nX-Injected: 1", "../../etc", "2026 "):
        response = client.post("/hr/exports/assessment.csv", query_string={"period": period},
                               data={"csrf_token": token})
        assert response.status_code == 400, period
        assert client.get("/hr", query_string={"period": period}).status_code == 400
