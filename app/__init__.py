"""Xiaobao Academy (消保学堂): the application factory."""

from __future__ import annotations

from flask import Flask, abort, current_app, request

from app import config as settings
from app.core import errors, ratelimits, security, templating
from app.core import logging as app_logging
from app.core.database import configure_sqlite, include_name
from app.core.i18n import select_locale, select_timezone
from app.core.sessions import SessionInterface
from app.core.time import set_business_zone
from app.core.visitors import csrf
from app.extensions import babel, db, login_manager, migrate


def create_app(config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the app: defaults, then FLASK_* / plain environment variables, then ``config``.

    ``instance_path`` (default: ``instance/`` beside the package) holds the SQLite database,
    the generated secret key and the demo logins.
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    _configure(app, config)
    app.session_interface = SessionInterface()

    app_logging.configure(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    errors.register(app)
    security.register(app)
    templating.register(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N trusted proxies, take the client address and scheme from their X-Forwarded-* headers."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def _configure(app: Flask, config: dict | None) -> None:
    app.config.from_object(settings.DefaultConfig)
    app.config.from_prefixed_env()
    settings.apply_environment(app.config)
    if config:
        app.config.update(config)
    _finish_config(app)


def _finish_config(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/xiaobao.db"
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_or_create_secret_key(app.instance_path)
    set_business_zone(app.config["BUSINESS_TZ"])


def _init_extensions(app: Flask) -> None:
    from app.auth.passwords import Passwords  # a feature's: imported by the factory only (see below)

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True, include_name=include_name)
    _init_login(app)
    app.before_request(_refuse_oversized_body)  # before the CSRF check reads the form
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    ratelimits.init_app(app)
    app.extensions["passwords"] = Passwords(
        app.config["PASSWORD_HASH_TIME_COST"], app.config["PASSWORD_HASH_MEMORY_KIB"]
    )


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"


def _refuse_oversized_body() -> None:
    """Answer 413 from the declared length, before anything reads (and spools) the body."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (length := request.content_length) is not None and length > limit:
        abort(413)


def _register_blueprints(app: Flask) -> None:
    # imported here, not at the top: importing the app package (for wsgi, migrations, the CLI) must
    # not import every feature, and the factory is the one place that knows them all
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.api.token_routes import bp as api_tokens_bp
    from app.assignments.learner_routes import bp as my_courses_bp
    from app.assignments.routes import bp as assignments_bp
    from app.auth.routes import bp as auth_bp
    from app.banks.routes import bp as banks_bp
    from app.campaigns.routes import bp as campaign_admin_bp
    from app.core.routes import bp as core_bp
    from app.learning.certificate_routes import bp as certificates_bp
    from app.learning.routes import bp as learning_bp
    from app.learning.scenario_routes import bp as scenarios_bp
    from app.public.routes import bp as public_bp
    from app.reports import models as _report_models  # noqa: F401  (period locks are mapped)
    from app.reports.routes import bp as reports_bp
    from app.roster.routes import bp as roster_bp

    blueprints = (core_bp, auth_bp, my_courses_bp, learning_bp, certificates_bp, scenarios_bp, reports_bp, roster_bp,
                  assignments_bp, admin_bp, api_bp, api_tokens_bp, public_bp, campaign_admin_bp, banks_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    # imported here for the same reason as the blueprints
    from app.assignments.cli import requirements_cli
    from app.assignments.reminders_cli import reminders_cli
    from app.auth.cli import users_cli
    from app.banks.cli import bank_cli
    from app.content.cli import content_cli
    from app.core.cli import translate_cli, uploads_cli
    from app.demo.cli import demo_cli
    from app.learning.cli import exams_cli
    from app.roster.cli import roster_cli

    for group in (users_cli, content_cli, demo_cli, translate_cli, roster_cli, requirements_cli, reminders_cli,
                  exams_cli, uploads_cli, bank_cli):
        app.cli.add_command(group)
