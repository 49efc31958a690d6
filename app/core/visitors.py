"""Who a visitor is without an account or a session, and the CSRF token of the forms they are shown.

Every browser gets a random visitor cookie on its first page (``xb_player``, http-only, a year): the
public quiz keys a player's plays to a hash of it. A form shown to a visitor who is not signed in
carries a token derived from that cookie with the app's secret (the signed double-submit pattern)
instead of Flask-WTF's token kept in the session. A public visitor then never needs a session
cookie, which the server would otherwise verify and decode on every request of a play (about 40 µs
of a 3·15 answer, issue #13), and their forms do not expire after WTF_CSRF_TIME_LIMIT.

Signed-in users keep Flask-WTF's tokens, bound to their session (renewed at sign-in); a visitor
token is accepted only from a request that is not signed in, with the cookie it was made from. A
cross-site page can neither read that cookie nor set it, as with the session's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import flask_wtf.csrf
from flask import Flask, Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

VISITOR_COOKIE = "xb_player"  # named when only the public quiz used it; kept, so players keep their plays
YEAR = 365 * 24 * 3600
TOKEN_PREFIX = "v1."
EXPIRED = _l("This form has expired or was sent from elsewhere. Please reload the page and try again.")


def visitor_cookie() -> str:
    """The visitor's cookie value; a new one (set on the response) when the browser sent none."""
    token = request.cookies.get(VISITOR_COOKIE, "")
    if len(token) < 20 or len(token) > 64:
        token = g.get("new_visitor_cookie") or secrets.token_urlsafe(24)
        g.new_visitor_cookie = token
    return token


def _set_visitor_cookie(response: Response) -> Response:
    if token := g.get("new_visitor_cookie"):
        response.set_cookie(VISITOR_COOKIE, token, max_age=YEAR, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def _visitor_token(cookie: str) -> str:
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, f"form\0{cookie}".encode(), hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def form_token() -> str:
    """The CSRF token for a form on this page (templates' ``csrf_token()``, every Form's field)."""
    if current_user.is_authenticated:
        return flask_wtf.csrf.generate_csrf()
    return _visitor_token(visitor_cookie())


def visitor_token_matches(sent: str | None) -> bool:
    """``sent`` is the visitor token of the cookie this request came with, from a visitor not signed in."""
    if not sent or not sent.startswith(TOKEN_PREFIX) or len(sent) != len(TOKEN_PREFIX) + 43:
        return False
    cookie = request.cookies.get(VISITOR_COOKIE, "")
    if not 20 <= len(cookie) <= 64 or current_user.is_authenticated:
        return False
    return hmac.compare_digest(sent, _visitor_token(cookie))


class CSRFProtect(flask_wtf.csrf.CSRFProtect):
    """Flask-WTF's protection of every POST, which also takes a visitor token (see the module)."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = form_token
        app.context_processor(lambda: {"csrf_token": form_token})  # after (so over) Flask-WTF's own
        app.after_request(_set_visitor_cookie)

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method in current_app.config["WTF_CSRF_METHODS"] and visitor_token_matches(self._get_csrf_token()):
            self._check_referrer()
            g.csrf_valid = True
            return
        super().protect()  # the session's token

    def _check_referrer(self) -> None:
        """Over HTTPS, a POST comes from a page of this site (what Flask-WTF checks for its own tokens)."""
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not flask_wtf.csrf.same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")


class FormCSRF(CSRF):
    """The CSRF field of every Form: the page's ``form_token()``; checked by CSRFProtect before the view
    (or here, in a view exempt from it)."""

    def setup_form(self, form):
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return form_token()

    def validate_csrf_token(self, form, field) -> None:
        if g.get("csrf_valid") or visitor_token_matches(field.data):
            return
        try:
            flask_wtf.csrf.validate_csrf(field.data)
        except ValidationError as error:
            raise ValidationError(EXPIRED) from error


csrf = CSRFProtect()  # the site's (create_app initialises it); views exempt themselves with @csrf.exempt
