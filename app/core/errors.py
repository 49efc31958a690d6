"""Friendly error pages in the user's language; no traceback ever reaches a user."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app.extensions import db

FALLBACK = (
    "<!doctype html><meta charset=utf-8><title>Error</title>"
    "<h1>服务暂时不可用 / Service unavailable</h1><p>请稍后再试。Please try again later.</p>"
)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Access denied"), _("Your account does not have permission to open this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has been moved.")),
        405: (_("Not allowed"), _("This address cannot be used that way.")),
        413: (_("File too large"), _("The file is larger than %(size)d MB, the most this site accepts. "
                                     "Split it or remove what is not needed, then try again.",
                                     size=max(1, (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20))),
        429: (
            _("Too many requests"),
            _("You have made too many requests in a short time. Please wait a minute and try again."),
        ),
        500: (_("Something went wrong"), _("An unexpected error occurred. It has been logged; please try again later.")),
    }


def error_page(code: int, detail: str | None = None):
    """The error page (or the API's JSON error) for ``code``, in the visitor's language."""
    if request.path.startswith(("/healthz", "/api/")):  # the API's error shape: a code word and a sentence
        name = HTTP_STATUS_CODES.get(code, "error")
        return jsonify(error=name.lower().replace(" ", "_").replace("'", ""), message=f"{code} {name}."), code
    title, message = _messages().get(code, (str(code), ""))
    try:
        return render_template("errors/error.html", code=code, title=title,
                               message=detail or message), code
    except Exception:  # the error page itself failed (e.g. database down): plain fallback
        return FALLBACK, code


def register(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)


def _csrf(error: CSRFError):
    return error_page(400, _("This form has expired or was sent from elsewhere. "
                          "Please reload the page and try again."))


def _http(error: HTTPException):
    if error.response is not None:  # abort(redirect(...)) and friends carry their own response
        return error.response
    return error_page(error.code or 500)


def _unexpected(error: Exception):
    current_app.logger.exception("unhandled error: %s", error)
    try:
        db.session.rollback()
    except Exception:  # the session may be unusable too; the page must still render
        current_app.logger.warning("rollback after error failed")
    return error_page(500)
