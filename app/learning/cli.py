"""`flask exams close-overdue`: grade attempts left open past their time limit (run from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.locks import one_at_a_time
from app.extensions import db
from app.learning import exams as services

exams_cli = AppGroup("exams", help="Exam attempts.")


@exams_cli.command("close-overdue")
@one_at_a_time("exams close-overdue")
def close_overdue():
    """Grade every open attempt whose time has run out on the answers saved before its deadline."""
    grace = current_app.config["EXAM_GRACE_SECONDS"]
    closed = [services.submit_attempt(attempt, None, grace=grace) for attempt in services.overdue_attempts(grace=grace)]
    db.session.commit()
    click.echo(f"{len(closed)} overdue attempt(s) graded, {sum(1 for a in closed if a.passed)} passed")
