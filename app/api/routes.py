"""JSON pull API for HR systems: /api/v1 (bearer tokens, same org scope as the token's owner)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, g, jsonify, request

from app.api import services
from app.api.openapi import SPEC
from app.assignments.rules import is_period
from app.auth.services import hr_scope_of
from app.core import ratelimits
from app.core.time import business_today
from app.core.visitors import csrf
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import unit_in_scope
from app.reports import queries

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies here: every call carries its bearer token
MAX_LIMIT = 1000
DEFAULT_LIMIT = 500


def _error(status: int, code: str, message: str):
    response = jsonify(error=code, message=message)
    response.status_code = status
    abort(response)


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return
    user = services.authenticate(request.headers.get("Authorization"))
    if user is None:
        _error(401, "unauthorized", "Send 'Authorization: Bearer <token>' with a live token of an HR user.")
    g.api_user = user
    g.api_scope = hr_scope_of(user)
    db.session.commit()  # last_used_at


def _unit(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    unit = unit_in_scope(code, g.api_scope)
    if unit is None:
        _error(404, "not_found", f"No org unit {code!r} in your scope.")
    return unit


def _arg(name: str, max_length: int = 100) -> str | None:
    """One query parameter: given once at most, of a sane length (else 400)."""
    values = request.args.getlist(name)
    if len(values) > 1:
        _error(400, f"bad_{name}", f"{name} may be given once.")
    if values and len(values[0]) > max_length:
        _error(400, f"bad_{name}", f"{name} is longer than {max_length} characters.")
    return values[0] if values else None


def _period() -> str | None:
    period = _arg("period")
    if period is not None and not is_period(period):
        _error(400, "bad_period", "period must be a year such as 2026, or 'once'.")
    return period


@bp.get("/completions")
@ratelimits.limit("API_RATE_LIMIT")
def completions():
    """Requirement records with their status, filtered by period, course, org unit and update time."""
    limit = _limit()
    after_id = _after_id()
    updated_since = _updated_since()
    items, next_cursor = services.completions_page(
        g.api_scope, period=_period(), course=_arg("course"),
        org=_unit(_arg("org")), updated_since=updated_since, after_id=after_id, limit=limit,
        today=business_today(),
    )
    return jsonify(items=items, next_cursor=next_cursor)


def _limit() -> int:
    raw_limit = _arg("limit", 10)
    if raw_limit is None:
        return DEFAULT_LIMIT
    if not (raw_limit.isdigit() and 1 <= int(raw_limit) <= MAX_LIMIT):
        _error(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw_limit)


def _after_id() -> int:
    """The last id of the previous page, from ?cursor= (0 for the first page)."""
    after_id = 0
    if cursor := _arg("cursor"):
        after_id = services.decode_cursor(cursor)
        if after_id is None:
            _error(400, "bad_cursor", "cursor is not one this API returned.")
    return after_id


def _updated_since() -> datetime | None:
    """?updated_since= as an aware UTC time (a time without an offset is taken as UTC)."""
    raw = _arg("updated_since", 40)
    if not raw:
        return None
    try:
        updated_since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        _error(400, "bad_updated_since", "updated_since must be an ISO 8601 time, e.g. 2026-11-01T00:00:00Z.")
    if updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    return updated_since.astimezone(UTC)  # stored times are UTC (and text on SQLite)


@bp.get("/org-units/<code>/summary")
@ratelimits.limit("API_RATE_LIMIT")
def org_summary(code: str):
    """Completion figures of a unit's subtree and of each child unit, for a period."""
    unit = _unit(code)
    period = _period() or str(business_today().year)
    today = business_today()

    def figures(f):
        return {"required": f.required, "completed": f.completed, "completed_on_time": f.on_time,
                "overdue": f.overdue, "completion_rate": round(f.completion_rate, 1),
                "on_time_rate": round(f.on_time_rate, 1),
                "average_score": None if f.average is None else round(float(f.average), 1)}

    return jsonify(org_unit=unit.code, name=unit.name, period=period, **figures(queries.totals(unit, period, today)),
                   children=[{"org_unit": f.key.code, "name": f.label, **figures(f)}
                             for f in queries.by_child_unit(unit, period, today)])


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI description of this API."""
    return jsonify(SPEC)
