"""`flask demo seed`: a demo bank to explore the product with."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.time import business_today
from app.core.urls import public_base
from app.extensions import db
from app.org import demo

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed():
    """Create the demo bank once; later runs change nothing and print the demo logins again."""
    accounts_file = Path(current_app.instance_path) / "demo-accounts.txt"
    if demo.already_seeded():
        click.echo("The demo organisation is already there; nothing was changed.")
    else:
        logins = demo.seed(hasher=current_app.extensions["passwords"])
        db.session.commit()
        accounts_file.parent.mkdir(parents=True, exist_ok=True)
        accounts_file.write_text(demo.format_logins(logins, public_base()), encoding="utf-8")
        accounts_file.chmod(0o600)
        click.echo("Demo organisation created.")
    from app.public.demo import seed_plays

    added = seed_plays(business_today())
    if added:
        click.echo(f"{added} demo public quiz plays added to the running campaigns.")
    if accounts_file.exists():
        click.echo(accounts_file.read_text(encoding="utf-8"))
