"""Accounts under attack: no lockout of colleagues, no username enumeration, revocable sessions,
passwords that are hard to guess, employee numbers that are one person whatever their case."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from tests.conftest import CSRF_RE, PASSWORD, csrf_token, login

GENERIC = "用户名或密码错误"


def _from(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_fifty_wrong_passwords_from_one_address_do_not_block_the_owner_elsewhere(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"  # let every guess reach the throttle
    make_user("E100030")
    attacker = _from(app.test_client(), "203.0.113.66")
    codes = [login(attacker, "E100030", f"guess-{n:04d}-wrong").status_code for n in range(50)]
    assert set(codes) == {401}
    assert login(attacker, "E100030").status_code == 401  # the attacker's address stays slowed down
    owner = _from(app.test_client(), "198.51.100.20")
    response = login(owner, "E100030")
    assert response.status_code == 302 and owner.get("/learn").status_code == 200


def test_throttled_unknown_and_wrong_get_the_same_answer(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    make_user("emp")
    client = _from(app.test_client(), "203.0.113.7")
    wrong = login(client, "emp", "not-the-password-1")
    unknown = login(client, "nobody-here", "not-the-password-1")
    for _ in range(8):
        login(client, "emp", "still-not-it-2")
    throttled = login(client, "emp")  # the right password, refused while this address waits
    bodies = [r.get_data(as_text=True) for r in (wrong, unknown, throttled)]
    assert wrong.status_code == unknown.status_code == throttled.status_code == 401
    assert all(GENERIC in body for body in bodies)
    messages = [CSRF_RE.sub("", body) for body in bodies]
    assert len({m.replace("emp", "").replace("nobody-here", "") for m in messages}) == 1


def test_an_unknown_user_takes_as_long_as_a_known_one(app, org):
    from app.auth.passwords import Passwords
    from app.auth.services import create_user

    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    hasher = app.extensions["passwords"] = Passwords(time_cost=2, memory_kib=16384)  # a real cost, as in production
    create_user("emp", name="张三", roles={Role.EMPLOYEE}, hasher=hasher, password=PASSWORD, org_unit=org["BJ01"])
    db.session.commit()
    times: dict[str, list[float]] = {"emp": [], "nobody-at-all": []}
    for n in range(21):  # interleaved, so that a busy moment of the machine hits both alike
        for username, series in times.items():
            client = _from(app.test_client(), f"192.0.{2 if username == 'emp' else 3}.{n}")
            token = csrf_token(client)
            started = time.perf_counter()
            client.post("/login", data={"username": username, "password": "wrong-password-x", "csrf_token": token})
            series.append(time.perf_counter() - started)
    known, unknown = statistics.median(times["emp"]), statistics.median(times["nobody-at-all"])
    assert abs(unknown - known) / known < 0.2, (known, unknown)


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(app, client, make_user):
    make_user("emp")
    login(client, "emp")
    stolen = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/learn")})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    page = thief.get("/login")
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    assert thief.get("/learn").status_code == 302


def _second_device(app, username="emp"):
    other = app.test_client()
    login(other, username)
    assert other.get("/learn").status_code == 200
    return other


def test_a_password_change_signs_out_other_devices_but_not_this_one(app, client, make_user):
    make_user("emp")
    other = _second_device(app)
    login(client, "emp")
    token = csrf_token(client, "/account/password")
    client.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": "Lantern-harbour-pebble",
                                           "confirm": "Lantern-harbour-pebble"})
    assert client.get("/learn").status_code == 200
    assert other.get("/learn").status_code == 302


def test_admin_actions_end_the_accounts_sessions(app, client, make_user):
    make_user("root", roles=(Role.ADMIN,))
    target = make_user("emp", roles=(Role.EMPLOYEE, Role.HR), unit="BJ", scope="BJ")
    login(client, "root")
    other = _second_device(app)
    client.post(f"/admin/users/{target.id}/temporary-password", data={"csrf_token": csrf_token(client, "/admin/users")})
    assert other.get("/learn").status_code == 302  # a one-time password was issued

    user = db.session.get(User, target.id)
    user.password_hash, user.must_change_password = app.extensions["passwords"].hash(PASSWORD), False
    db.session.commit()
    other = _second_device(app)
    form = {"csrf_token": csrf_token(client, f"/admin/users/{target.id}"), "roles": ["employee"], "hr_scope": "",
            "active": "y", "email": "emp@example.com"}
    assert client.post(f"/admin/users/{target.id}", data=form).status_code == 302
    assert other.get("/learn").status_code == 302  # role change
    assert db.session.get(User, target.id).roles == {Role.EMPLOYEE}

    other = _second_device(app)
    form = {**form, "csrf_token": csrf_token(client, f"/admin/users/{target.id}")}
    del form["active"]
    assert client.post(f"/admin/users/{target.id}", data=form).status_code == 302
    assert other.get("/learn").status_code == 302  # deactivated
    assert login(app.test_client(), "emp").status_code == 401


def test_an_admin_cannot_lock_themselves_out(client, make_user):
    root = make_user("root", roles=(Role.ADMIN,))
    login(client, "root")
    form = {"csrf_token": csrf_token(client, f"/admin/users/{root.id}"), "roles": ["employee"], "hr_scope": "",
            "active": "y"}
    response = client.post(f"/admin/users/{root.id}", data=form)
    assert response.status_code == 400 and Role.ADMIN in db.session.get(User, root.id).roles


def test_a_form_token_from_before_sign_in_is_refused_after_it(client, make_user):
    """Before sign-in the visitor's forms carry their visitor token; once signed in only the new
    session's token is taken, so a token seen before (say, on a shared computer) cannot act for the account."""
    make_user("emp")
    before = csrf_token(client)
    assert before.startswith("v1.")
    login(client, "emp")
    after = CSRF_RE.search(client.get("/account").get_data(as_text=True)).group(1)
    assert after != before and not after.startswith("v1.")
    refused = client.post("/language", data={"locale": "en", "next": "/account", "csrf_token": before})
    assert refused.status_code == 400 and "Sign out" not in client.get("/account").get_data(as_text=True)
    taken = client.post("/language", data={"locale": "en", "next": "/account", "csrf_token": after})
    assert taken.status_code == 302 and "Sign out" in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(("password", "reason"), [
    ("short-1", "至少需要10个字符"),
    ("password123", "太容易被猜到"),
    ("qwertyuiop12", "太容易被猜到"),
    ("zhangxiaoming1", "太容易被猜到"),
])
def test_weak_passwords_are_refused_with_the_reason_on_the_field(client, make_user, password, reason):
    make_user("zhangxiaoming", name="张小明")
    login(client, "zhangxiaoming")
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": password,
                                                      "confirm": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert reason in page and 'id="new-err"' in page


def test_employee_numbers_are_unique_whatever_their_case(make_user, hasher):
    from app.auth.services import AccountError, create_user

    make_user("first")  # employee number E00001
    with pytest.raises(AccountError) as caught:
        create_user("second", name="李四", roles={Role.EMPLOYEE}, hasher=hasher, employee_no="e00001")
    assert caught.value.code == "employee_no_taken"
    assert db.session.scalar(select(User).where(User.username == "second")) is None


def _upload_roster(client, rows):
    from tests.roster.test_roster_import import xlsx

    token = csrf_token(client, "/hr/roster")
    return client.post("/hr/roster", data={"csrf_token": token, "file": (__import__("io").BytesIO(xlsx(rows)), "r.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_roster_with_one_number_in_two_cases_is_a_located_error(client, make_user):
    make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr")
    page = _upload_roster(client, [["E100021", "赵一", "BJ01", "柜员", None, None, "2023-05-06", "在职"],
                                   ["e100021", "钱二", "BJ01", "柜员", None, None, "2023-05-06", "在职"]])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "大小写不同也算相同" in text
    assert db.session.scalar(select(User).where(User.username.in_(["E100021", "e100021"]))) is None


def test_a_roster_number_that_is_a_staff_username_is_a_located_error_not_a_500(client, make_user):
    make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    make_user("admin", roles=(Role.ADMIN,), unit="HO")
    login(client, "hr")
    page = _upload_roster(client, [["ADMIN", "赵一", "BJ01", "柜员", None, None, "2023-05-06", "在职"]])
    assert page.status_code == 200 and "这个工号已经是另一个账号" in page.get_data(as_text=True)
    apply = client.post("/hr/roster/apply", data={"csrf_token": csrf_token(client, "/hr/roster"), "token": "0" * 32})
    assert apply.status_code in (302, 400)
