"""`flask roster import FILE`: the same checks and changes as the web import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.org import roster, roster_services

roster_cli = AppGroup("roster", help="Staff roster import.")


@roster_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Apply the changes (without it, only show what would change).")
def import_(path: Path, yes: bool):
    """Check a roster (CSV or XLSX), print every bad row, and apply it with --yes."""
    try:
        parsed = roster.read(path.name, path.read_bytes())
    except roster.RosterFileError as error:
        raise click.ClickException(f"{path}: cannot read the file ({error.code})") from None
    roster_plan = roster_services.plan(parsed, None)
    for error in sorted(roster_plan.errors, key=lambda e: (e.sheet, e.row)):
        click.echo(f"{path}: {error}", err=True)
    click.echo(", ".join(f"{name}: {count}" for name, count in roster_plan.counts.items()))
    if roster_plan.errors:
        raise click.ClickException(f"{len(roster_plan.errors)} row problem(s): nothing was changed")
    if not yes:
        click.echo("Nothing changed yet: run again with --yes to apply.")
        return
    roster_services.apply(roster_plan, actor=None, filename=path.name)
    db.session.commit()
    click.echo("Applied.")
