"""The pull API from the outside: tokens, scope, filters, cursor pagination, OpenAPI."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.api.models import ApiToken
from app.core.models import AuditEvent
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.reports.test_reports import bank  # noqa: F401  (fixture)


def _token(client) -> str:
    page = client.post("/hr/api-tokens", data={"csrf_token": csrf_token(client, "/hr/api-tokens"), "name": "绩效系统"})
    return re.search(r'class="mono temporary-password">(xb_[^<]+)<', page.get_data(as_text=True)).group(1)


def _get(client, url, token):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_token_is_shown_once_and_stored_hashed(client, bank):  # noqa: F811
    login(client, "hr_ho")
    token = _token(client)
    record = db.session.scalar(select(ApiToken))
    assert token not in record.token_hash and record.prefix == token[:10]
    assert token not in client.get("/hr/api-tokens").get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.create"))


def test_completions_pages_filters_and_revocation(client, app, bank):  # noqa: F811
    login(client, "hr_ho")
    token = _token(client)
    api = app.test_client()
    assert api.get("/api/v1/completions").status_code == 401
    assert _get(api, "/api/v1/completions", "xb_wrong").status_code == 401
    first = _get(api, "/api/v1/completions?period=once&limit=3", token).get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = _get(api, f"/api/v1/completions?period=once&limit=3&cursor={first['next_cursor']}", token).get_json()
    names = [i["name"] for i in first["items"] + second["items"]]
    assert sorted(names) == sorted(["北京甲", "北京乙", "北京丙", "上海甲"]) and second["next_cursor"] is None
    done = next(i for i in first["items"] + second["items"] if i["name"] == "北京甲")
    assert done["status"] == "completed_late" and done["score"] == 100.0
    only_sh = _get(api, "/api/v1/completions?org=SH", token).get_json()["items"]
    assert [i["name"] for i in only_sh] == ["上海甲"]
    assert _get(api, "/api/v1/completions?cursor=%%%", token).status_code == 400
    assert _get(api, "/api/v1/completions?updated_since=yesterday", token).status_code == 400
    summary = _get(api, "/api/v1/org-units/BJ/summary?period=once", token).get_json()
    assert summary["required"] == 3 and summary["completed"] == 1
    assert summary["children"][0]["org_unit"] == "BJ01"
    record = db.session.scalar(select(ApiToken))
    client.post(f"/hr/api-tokens/{record.id}/revoke", data={"csrf_token": csrf_token(client, "/hr/api-tokens")})
    assert _get(api, "/api/v1/completions", token).status_code == 401


def test_updated_since_is_an_instant_whatever_its_offset(client, app, bank):  # noqa: F811
    login(client, "hr_ho")
    token = _token(client)
    api = app.test_client()
    beijing = ZoneInfo("Asia/Shanghai")
    minute_ago = (datetime.now(UTC) - timedelta(minutes=1)).astimezone(beijing).isoformat(timespec="seconds")
    in_a_minute = (datetime.now(UTC) + timedelta(minutes=1)).astimezone(beijing).isoformat(timespec="seconds")
    since = _get(api, "/api/v1/completions?period=once&updated_since=" + quote(minute_ago), token).get_json()
    later = _get(api, "/api/v1/completions?period=once&updated_since=" + quote(in_a_minute), token).get_json()
    assert len(since["items"]) == 4 and later["items"] == []


def test_branch_token_sees_only_its_branch(client, app, bank):  # noqa: F811
    login(client, "hr_bj")
    token = _token(client)
    api = app.test_client()
    names = {i["name"] for i in _get(api, "/api/v1/completions", token).get_json()["items"]}
    assert names == {"北京甲", "北京乙", "北京丙"}
    assert _get(api, "/api/v1/org-units/SH/summary", token).status_code == 404
    assert _get(api, "/api/v1/org-units/HO/summary", token).status_code == 404
    assert _get(api, "/api/v1/completions?org=SH01", token).status_code == 404


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/completions" in spec["paths"]
    assert "/org-units/{code}/summary" in spec["paths"]


def test_bad_paging_and_filters_are_400s_never_500s(client, app, bank):  # noqa: F811
    login(client, "hr_ho")
    token = _token(client)
    api = app.test_client()
    huge_cursor = __import__("base64").urlsafe_b64encode(b"r" + b"9" * 40).decode()
    for query in ("limit=0", "limit=5000", "limit=-1", "limit=abc", "limit=1&limit=2", "limit=" + "9" * 5000,
                  "cursor=" + huge_cursor, "cursor=" + "x" * 500, "cursor=a&cursor=b", "cursor=%FF%FE",
                  "period=二〇二六", "period=2026%0D%0AX:1", "updated_since=yesterday", "org=" + "X" * 500):
        response = _get(api, f"/api/v1/completions?{query}", token)
        assert response.status_code in (400, 404), (query, response.status_code)
        assert response.get_json()["error"]
    assert _get(api, "/api/v1/org-units/HO/summary?period=%0A", token).status_code == 400
    assert _get(api, "/api/v1/completions?limit=1000&updated_since=2020-01-01T00:00:00", token).status_code == 200


def test_the_openapi_document_survives_schemathesis(app, live_server, bank):  # noqa: F811
    """A few hundred generated requests: no 5xx, every response as the document describes it."""
    import subprocess
    import sys
    from pathlib import Path

    from app.api.services import create_token
    from app.auth.models import User

    user = db.session.scalar(select(User).where(User.username == "hr_ho"))
    token = create_token(user, "fuzz")[1]
    db.session.commit()
    app.config["RATELIMIT_ENABLED"] = False
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "run", f"{live_server}/api/v1/openapi.json", "--url", f"{live_server}/api/v1",
         "-H", f"Authorization: Bearer {token}", "--checks",
         "not_a_server_error,response_schema_conformance,content_type_conformance,response_headers_conformance",
         "--max-examples", "80", "--workers", "1", "--seed", "315", "--request-timeout", "20"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_a_nul_character_anywhere_in_a_request_is_a_400_never_a_500(client, app, bank):  # noqa: F811
    """PostgreSQL cannot hold NUL in text: schemathesis found ?org=…%00… answering 500 there."""
    login(client, "hr_ho")
    token = _token(client)
    api = app.test_client()
    for url in ("/api/v1/completions?org=XB%00", "/api/v1/completions?course=a%00b",
                "/api/v1/org-units/XB%000/summary"):
        assert _get(api, url, token).status_code == 400, url
    assert client.get("/hr?unit=XB%001").status_code == 400
    assert api.post("/login", data={"username": "hr\x00", "password": "x"}).status_code == 400
    assert _get(api, "/api/v1/completions?org=nope", token).status_code == 404  # the same without NUL
