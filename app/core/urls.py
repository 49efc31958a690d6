"""Addresses printed where no click can follow them (posters, QR codes, emails, printed logins), and the
links of long lists."""

from __future__ import annotations

from collections.abc import Callable

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


_MARKER = "url-value-marker"


def url_maker(endpoint: str, name: str) -> Callable[[object], str]:
    """``url_for(endpoint, **{name: value})`` for the many rows of a list: the route is built once and each
    value is quoted the way werkzeug's default converter quotes a path segment (``name`` must be a plain
    ``<name>`` parameter), so a list of 500 rows costs one url_for instead of 500."""
    quote = current_app.url_map.converters["default"](current_app.url_map).to_url
    url = url_for(endpoint, **{name: _MARKER})
    head, marker, tail = url.rpartition(quote(_MARKER))
    if not marker or "?" in url:  # not in the route: url_for made it a query argument
        raise ValueError(f"{endpoint} has no plain <{name}> parameter")
    return lambda value: f"{head}{quote(value)}{tail}"
