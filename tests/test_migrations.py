"""The migrations build exactly the models' schema, on SQLite and (in CI) on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from app import create_app
from app.core.database import include_name
from app.extensions import db
from tests.conftest import fresh_database_url


def test_upgrade_from_empty_gives_the_models_schema_with_no_pending_diff(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(tmp_path), "SECRET_KEY": "x"}, instance_path=str(tmp_path))
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
                diff = compare_metadata(context, db.metadata)
                tables = set(inspect(conn).get_table_names())
                foreign_keys = {fk["referred_table"] for fk in inspect(conn).get_foreign_keys("courses")}
        finally:
            db.engine.dispose()
    assert diff == []
    assert {"users", "org_units", "courses", "course_versions", "lessons", "attempts", "completions"} <= tables
    assert foreign_keys == {"course_versions"}


def test_flask_db_check_reports_no_new_operations(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(tmp_path), "SECRET_KEY": "x"}, instance_path=str(tmp_path))
    runner = app.test_cli_runner()
    try:
        upgraded = runner.invoke(args=["db", "upgrade"])
        checked = runner.invoke(args=["db", "check"])
        downgraded = runner.invoke(args=["db", "downgrade", "base"])
    finally:
        with app.app_context():
            db.engine.dispose()
    assert upgraded.exit_code == 0, upgraded.output
    assert checked.exit_code == 0, checked.output  # `db check` exits non-zero on any pending diff
    assert downgraded.exit_code == 0, downgraded.output
