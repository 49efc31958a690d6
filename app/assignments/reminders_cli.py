"""`flask reminders send`: daily reminder emails (run it from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.assignments.reminders import Mailer, send_reminders
from app.core.locks import one_at_a_time
from app.core.time import business_today
from app.core.urls import public_base
from app.extensions import db

reminders_cli = AppGroup("reminders", help="Reminder emails.")


@reminders_cli.command("send")
@click.option("--days", default=7, show_default=True, help="Remind about requirements due within this many days.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Pretend it is this day.")
@one_at_a_time("reminders send")
def send(days: int, today):
    """Email employees with requirements due soon or overdue, and their HR users a digest."""
    if not current_app.config.get("SMTP_HOST"):
        raise click.ClickException("SMTP_HOST is not set: no mail server to send through")
    day = today.date() if today else business_today()
    try:
        employees, hr_users = send_reminders(Mailer.from_config(current_app.config), day, days,
                                             public_base())
    except OSError as error:  # the SMTP server refused or could not be reached: nothing is recorded
        db.session.rollback()
        raise click.ClickException(f"could not send mail: {error}") from None
    db.session.commit()
    click.echo(f"{day}: reminded {employees} employee(s) and {hr_users} HR user(s)")
