"""Sign in and sign out, my account: email and password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services, throttle
from app.auth.forms import EmailForm, LoginForm, PasswordChangeForm
from app.auth.messages import password_message
from app.auth.models import Role
from app.core import ratelimits
from app.core.forms import ConfirmForm
from app.core.redirects import local_path
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(session_id: str):
    user = services.load_session_user(session_id)
    if user is not None:
        g.log_user = user.username
    return user


def landing_page(user) -> str:
    """Where each role works: HR at /hr, content admins at /admin, administrators at /admin/users."""
    roles = user.roles
    if Role.ADMIN in roles:
        return url_for("admin.users")
    if Role.HR in roles:
        return url_for("reports.overview")
    if Role.CONTENT_ADMIN in roles:
        return url_for("admin.content")
    return url_for("my_courses.dashboard")


def _policy() -> throttle.Policy:
    config = current_app.config
    return throttle.Policy(account=throttle.Rule(free=config["LOGIN_ACCOUNT_FREE_FAILURES"]),
                           address=throttle.Rule(free=config["LOGIN_ADDRESS_FREE_FAILURES"]))


def _start_session(user) -> None:
    session.clear()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.limit("LOGIN_RATE_LIMIT", methods=["POST"])
def login():
    """Sign in with username and password; repeated failures from one client slow that client down."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(local_path(form.next.data) or landing_page(current_user))
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data, address=request.remote_addr or "",
                                       hasher=current_app.extensions["passwords"], policy=_policy())
        db.session.commit()
        if result.user is not None:
            _start_session(result.user)
            current_app.logger.info("sign-in: %s", result.user.username)
            return redirect(local_path(form.next.data) or landing_page(result.user))
        current_app.logger.info("sign-in refused for %r%s", form.username.data,
                                " (throttled)" if result.throttled else "")
        form.password.errors.append(_("Wrong username or password, or too many failed attempts from here. "
                                      "Check them and try again in a moment."))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 401


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign out everywhere (POST); GET shows a confirmation button so that links cannot sign anyone out."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            services.end_sessions(current_user)
            db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
        return redirect(url_for("public.home"))
    if not current_user.is_authenticated:
        return redirect(url_for("public.home"))
    return render_template("auth/logout.html", form=form)


OPEN_WHILE_CHANGE_REQUIRED = {"auth.change_password", "auth.logout", "core.set_language", "static", "core.healthz"}


@bp.before_app_request
def _require_password_change():
    """An account with a temporary password can only change it (or sign out) until it does."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_WHILE_CHANGE_REQUIRED):
        flash(_("Please choose your own password before you continue."), "warning")
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change my own password; my other sessions end, this one continues."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_own_password(user, form.current.data, form.new.data,
                                         hasher=current_app.extensions["passwords"])
        except services.AccountError as error:
            db.session.rollback()
            target = form.current if error.code == "wrong_current_password" else form.new
            target.errors.append(password_message(error.code))
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Your password has been changed. Other devices signed in to your account have been signed out."),
                  "success")
            return redirect(landing_page(user))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """My account: who I am in the bank, the email reminders go to, and a link to change my password."""
    form = EmailForm(obj=current_user)
    if form.validate_on_submit():
        services.set_own_email(current_user, (form.email.data or "").strip() or None)
        db.session.commit()
        flash(_("Your email address has been saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 400 if form.errors else 200
