"""Addresses printed where no click can follow them: posters, QR codes, emails, printed logins."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for

FALLBACK = "http://127.0.0.1:5000"  # a command run without PUBLIC_BASE_URL: the address `make run` serves


def public_base() -> str:
    """PUBLIC_BASE_URL when set, else the address this request came to (so a server on another port
    or host prints links that work), else the local development address."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return FALLBACK


def public_url(endpoint: str, **values) -> str:
    """An absolute address of ``endpoint`` for print and mail."""
    return public_base() + url_for(endpoint, **values)
