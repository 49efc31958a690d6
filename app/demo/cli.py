"""`flask demo seed`: a demo bank that shows a year of work at once (run by `make run`; idempotent)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import User
from app.core.time import business_today
from app.core.urls import public_base
from app.demo import bank, year
from app.demo.plays import seed_plays
from app.extensions import db
from app.reports.assessment import Formula

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed():
    """Create the demo bank and its year of activity once; later runs change nothing and print the logins again."""
    accounts_file = Path(current_app.instance_path) / "demo-accounts.txt"
    hasher = current_app.extensions["passwords"]
    if bank.already_seeded():
        click.echo("The demo organisation is already there.")
    else:
        _seed_bank(hasher, accounts_file)
    _live_the_year(hasher)
    added = seed_plays(business_today())
    db.session.commit()
    if added:
        click.echo(f"{added} demo public quiz plays added to the running campaigns.")
    if accounts_file.exists():
        click.echo(accounts_file.read_text(encoding="utf-8"))


def _seed_bank(hasher, accounts_file: Path) -> None:
    """Create the organisation and accounts; their logins go to a file only its owner can read."""
    logins = bank.seed(hasher=hasher)
    db.session.commit()
    accounts_file.parent.mkdir(parents=True, exist_ok=True)
    accounts_file.write_text(bank.format_logins(logins, public_base()), encoding="utf-8")
    accounts_file.chmod(0o600)
    click.echo("Demo organisation created.")


def _live_the_year(hasher) -> None:
    """The demo year, once the bundled courses are loaded and unless it was lived already."""
    hr = db.session.scalar(select(User).where(User.username == "hr_head"))
    if hr is None or year.already_lived(hr):
        return
    if not year.content_loaded():
        click.echo("The bundled courses are not loaded yet (flask content sync): the demo year waits for them.")
        return
    click.echo("Living through the demo year (assignments, lessons, exams, role-plays, a locked half-year)…")
    made = year.live_the_year(hr=hr, hasher=hasher, today=business_today(),
                              formula=Formula.from_config(current_app.config))
    db.session.commit()
    click.echo(", ".join(f"{value} {name.replace('_', ' ')}" for name, value in made.items()))
