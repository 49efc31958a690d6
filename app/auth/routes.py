"""Sign in and sign out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm, PasswordChangeForm
from app.core.forms import ConfirmForm
from app.core.redirects import local_path
from app.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    from app.auth.models import User

    user = db.session.get(User, int(user_id))
    if user is not None:
        g.log_user = user.username
    return user


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("learning.dashboard")


def _policy() -> services.LoginPolicy:
    from datetime import timedelta

    return services.LoginPolicy(
        max_failures=current_app.config["LOGIN_MAX_FAILURES"],
        lockout=timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]),
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Sign in with username and password; repeated failures lock the account for a while."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(form.next.data))
    if form.validate_on_submit():
        result = services.authenticate(
            form.username.data, form.password.data,
            hasher=current_app.extensions["passwords"], policy=_policy(),
        )
        db.session.commit()
        if result.user is not None:
            login_user(result.user)
            current_app.logger.info("sign-in: %s", result.user.username)
            return redirect(_safe_next(form.next.data))
        if result.locked_until is not None:
            current_app.logger.warning("sign-in refused, account locked: %s", form.username.data)
            form.password.errors.append(
                _("Too many failed attempts. This account is locked until %(time)s.",
                  time=format_datetime(result.locked_until, "short"))
            )
        else:
            current_app.logger.info("sign-in failed for %r", form.username.data)
            form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 401


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign out (POST); GET shows a confirmation button so that links cannot sign anyone out."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
        return redirect(url_for("core.index"))
    if not current_user.is_authenticated:
        return redirect(url_for("core.index"))
    return render_template("auth/logout.html", form=form)


PASSWORD_ERRORS = {
    "wrong_current_password": lambda: _("The current password is not right."),
    "same_password": lambda: _("Choose a password different from the current one."),
    "too_short": lambda: _("The password must be at least 10 characters long."),
    "letters_and_digits": lambda: _("The password must mix letters with digits or other characters."),
}
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
    """Change my own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current.data, form.new.data,
                                         hasher=current_app.extensions["passwords"])
        except services.AccountError as error:
            db.session.rollback()
            target = form.current if error.code == "wrong_current_password" else form.new
            target.errors.append(PASSWORD_ERRORS[error.code]())
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("learning.dashboard"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
