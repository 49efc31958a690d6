"""Security headers on every response, and requests no page can take."""

from __future__ import annotations

from flask import Flask, abort, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


def register(app: Flask) -> None:
    """Attach the security headers and the refusal of NUL characters."""
    app.before_request(_refuse_nul)
    app.after_request(_headers)


def _refuse_nul():
    # No text column can hold a NUL character (PostgreSQL refuses it outright, as an error that
    # would surface as a 500): a path, query or form value carrying one is malformed whatever the
    # page, so it is a 400 before any view sees it (found by schemathesis on the API's ?org=).
    if _has_nul(request.path) or _has_nul_in(request.args):
        abort(400)
    if request.mimetype == "application/x-www-form-urlencoded" and _has_nul_in(request.form):
        abort(400)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def _headers(response):
    """The security headers a view did not set itself: the response's header names read once, the
    missing ones added at once (one setdefault per header scanned the headers five times: 12 µs)."""
    present = {name.lower() for name, _value in response.headers.items()}
    wanted = SECURITY_HEADERS + ((HSTS,) if current_app.config.get("SESSION_COOKIE_SECURE") else ())
    response.headers.extend([header for header in wanted if header[0].lower() not in present])
    return response


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _has_nul_in(values) -> bool:
    return any(_has_nul(key) or any(_has_nul(v) for v in items) for key, items in values.lists())
