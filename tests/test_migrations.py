"""The migrations build exactly the models' schema, on SQLite and (in CI) on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.assignments.models import Requirement
from app.auth.models import User
from app.core.database import include_name
from app.demo import bank, year
from app.demo.plays import seed_plays
from app.extensions import db
from app.reports.assessment import Formula
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


CHECKED_TABLES = ("requirements", "assignments", "enrollments", "completions", "attempts", "attempt_answers",
                  "questions", "lessons", "course_scenarios", "campaigns", "campaign_modules", "campaign_tracks",
                  "public_plays", "public_answers", "scenario_runs", "assessment_snapshots", "requirement_totals")


def _counts() -> dict[str, int]:
    return {table: db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in CHECKED_TABLES}


def test_the_check_constraints_migration_keeps_a_bank_with_data_and_then_guards_it(tmp_path):
    """Adding (and removing) the CHECK constraints rebuilds SQLite tables that others refer to: every
    row, the requirement totals triggers and the one-open-attempt index must survive both ways, and
    foreign keys stay enforced afterwards."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(tmp_path), "SECRET_KEY": "x"},
                     instance_path=str(tmp_path))
    with app.app_context():
        try:
            upgrade()  # the bank is made by today's code, then taken back to before the constraints
            assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
            hasher = app.extensions["passwords"]
            bank.seed(hasher=hasher)
            hr = db.session.scalar(select(User).where(User.username == "hr_head"))
            year.live_the_year(hr=hr, hasher=hasher, today=date(2026, 3, 20), formula=Formula.from_config(app.config))
            seed_plays(date(2026, 12, 1), count=20)  # the bundled winter anti-fraud campaign runs
            db.session.commit()
            before, completed = _counts(), db.session.scalar(text("SELECT sum(completed) FROM requirement_totals"))
            sqlite = db.engine.dialect.name == "sqlite"
            if sqlite:
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            db.session.remove()
            downgrade(revision="8d3c5a1e7f42")
            assert _counts() == before
            db.session.remove()
            upgrade()
            after = _counts()
            # a rebuilt table keeps the planner statistics it had (the report pages' plans depend on them)
            analysed = {row[0] for row in db.session.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1"))} \
                if sqlite else set()
            one_open = db.session.scalar(text("SELECT count(*) FROM attempts WHERE status = 'open'"))
            _assert_guards(db.engine.dialect.name)
        finally:
            db.session.remove()
            db.engine.dispose()
    assert before["requirements"] > 100 and before["attempts"] > 10 and before["public_answers"] > 10
    assert after == before
    assert completed > 0 and one_open >= 0
    if sqlite:
        assert {"requirements", "attempts", "public_answers", "quiz_versions"} <= analysed


def _assert_guards(dialect: str) -> None:
    """The new rules hold, and the rebuilt tables still have their triggers, partial index and foreign keys."""
    requirement = db.session.scalar(select(Requirement).where(Requirement.completed_at.is_(None),
                                                              Requirement.active).order_by(Requirement.id).limit(1))
    totals = db.session.scalar(text("SELECT sum(completed) FROM requirement_totals"))
    requirement.completed_at, requirement.completed_on = datetime(2026, 3, 1, 2, tzinfo=UTC), date(2026, 3, 1)
    db.session.flush()
    assert db.session.scalar(text("SELECT sum(completed) FROM requirement_totals")) == totals + 1  # triggers
    db.session.rollback()
    refused = [
        "UPDATE requirements SET score = 100.5",
        "UPDATE requirements SET due_date = '2000-01-01'",
        "UPDATE attempts SET score = max_score + 1",
        "UPDATE public_answers SET position = 0",
        "UPDATE campaigns SET ends_on = '2000-01-01'",
        "DELETE FROM users",  # foreign keys are enforced again
        "UPDATE attempts SET status = 'open'",  # one open attempt per enrolment
    ]
    accepted = []
    for statement in refused:
        try:
            db.session.execute(text(statement))
            accepted.append(statement)
        except IntegrityError:
            pass
        db.session.rollback()
    assert accepted == []
