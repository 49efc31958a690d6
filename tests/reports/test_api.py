"""The pull API from the outside: tokens, scope, filters, cursor pagination, OpenAPI."""

from __future__ import annotations

import re

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
