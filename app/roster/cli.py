"""`flask roster import FILE`: the same checks, sentences and changes as the web import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.messages import refusal_message
from app.core.time import business_today
from app.core.uploads import UploadRefused
from app.extensions import db
from app.roster import files as roster
from app.roster import messages
from app.roster import services as roster_services

roster_cli = AppGroup("roster", help="Staff roster import.")


@roster_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Apply the changes (without it, only show what would change).")
@click.option("--pad", type=click.IntRange(2, 32), default=None,
              help="Give numeric employee numbers back the leading zeros Excel dropped, up to this many digits.")
def import_(path: Path, yes: bool, pad: int | None):
    """Check a roster (XLSX, XLS, CSV), print every bad row, and apply it with --yes.

    Sentences are in the language of XIAOBAO_LANG or LANG (zh_CN, zh_TW, en)."""
    roster_plan = roster_services.plan(_read(path), None, pad_to=pad)
    for error in sorted(roster_plan.errors, key=lambda e: (e.sheet, e.row, e.letter)):
        sheet = f"{error.sheet} " if error.sheet else ""
        click.echo(f"{path}: {sheet}{messages.located(error)}", err=True)
    click.echo(messages.counts_text(roster_plan.counts))
    if roster_plan.errors:
        raise click.ClickException(messages.nothing_changed(len(roster_plan.errors)))
    if not yes:
        click.echo(messages.dry_run())
        return
    roster_services.apply(roster_plan, actor=None, filename=path.name, today=business_today())
    db.session.commit()
    click.echo(messages.applied())


def _read(path: Path) -> roster.Roster:
    """The roster in the file; a file that cannot be read at all stops the command with the reason."""
    try:
        return roster.read(path.name, path.read_bytes())
    except UploadRefused as error:
        raise click.ClickException(f"{path}: {refusal_message(error)}") from None
    except roster.RosterFileError as error:
        raise click.ClickException(f"{path}: {messages.file_problem(error.code)}") from None
