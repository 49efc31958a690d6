"""`flask content ...`: validate and load courses and question banks."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.content.loader import load_tree
from app.content.services import ContentInvalid, sync_content
from app.extensions import db

content_cli = AppGroup("content", help="Validate and load course and quiz files.")


@content_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths):
    """Validate content files; print every problem as file:line: message."""
    root = Path(current_app.config["CONTENT_ROOT"])
    bundle, issues = load_tree(root, list(paths) or None)
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        raise click.ClickException(f"{len(issues)} problem(s) found")
    questions = sum(len(q.questions) for q in bundle.quizzes.values())
    lessons = sum(len(c.lessons) for c in bundle.courses.values())
    click.echo(f"ok: {len(bundle.courses)} course(s), {lessons} lesson(s), "
               f"{len(bundle.quizzes)} question bank(s), {questions} question(s), "
               f"{len(bundle.scenarios)} scenario(s), {len(bundle.modules)} public module(s), "
               f"{len(bundle.public_quizzes)} public question pool(s) with "
               f"{sum(len(q.questions) for q in bundle.public_quizzes.values())} question(s), "
               f"{sum(len(m.practice) for m in bundle.modules.values())} practice question(s), "
               f"{len(bundle.campaigns)} campaign(s)")


@content_cli.command("sync")
def sync():
    """Load all content into the database in one transaction (nothing changes on any error)."""
    root = Path(current_app.config["CONTENT_ROOT"])
    try:
        report = sync_content(root)
    except ContentInvalid as error:
        db.session.rollback()
        for issue in error.issues:
            click.echo(str(issue), err=True)
        raise click.ClickException(f"{len(error.issues)} problem(s): nothing was loaded") from None
    db.session.commit()
    for label, items in (("new", report.created), ("new version", report.updated),
                         ("unchanged", report.unchanged), ("unpublished", report.unpublished)):
        for item in items:
            click.echo(f"{label}: {item}")
