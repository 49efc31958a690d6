"""`flask requirements sync`: run daily (cron) so that new annual cycles and due dates appear on time."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from app.assignments.services import sync_all
from app.core.locks import one_at_a_time
from app.core.time import business_today
from app.extensions import db

requirements_cli = AppGroup("requirements", help="Mandatory-training requirements.")


@requirements_cli.command("sync")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend it is this day (YYYY-MM-DD); default: today.")
@one_at_a_time("requirements sync")
def sync(today):
    """Bring every active assignment's requirements up to date."""
    day: date = today.date() if today else business_today()
    report = sync_all(day)
    db.session.commit()
    click.echo(f"{day}: {report.created} created, {report.withdrawn} withdrawn, "
               f"{report.restored} restored, {report.moved} moved")
