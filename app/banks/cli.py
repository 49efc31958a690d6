"""`flask bank import|export|template`: question banks in and out of the repository's quizzes/ folder.

Import writes (or updates) quizzes/<slug>.yaml in the repository's own format, ready to review and
commit, after the same checks as `flask content check`; export reads the bank's current version from
the database (bundled or uploaded). Sentences are in the language of XIAOBAO_LANG or LANG.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.banks import importer, messages, services, sheet
from app.banks.yamlbank import Settings, from_spec
from app.content.models import Quiz
from app.content.questions import load_quiz
from app.content.reader import Issues
from app.core.messages import refusal_message
from app.core.sheets import SheetError
from app.core.uploads import UploadRefused
from app.extensions import db

bank_cli = AppGroup("bank", help="Question banks in and out: Excel 题库, Moodle XML, GIFT, Aiken.")


def _bank_path(slug: str) -> Path:
    return Path(current_app.config["CONTENT_ROOT"]) / "quizzes" / f"{slug}.yaml"


def _file_target(slug: str) -> services.Target:
    """The bank as its file in quizzes/ says (a new bank when there is no file)."""
    path = _bank_path(slug)
    if not path.exists():
        return services.Target(slug, None, [], authored=False)
    issues = Issues()
    spec = load_quiz(path, issues, public=slug.startswith("public/"))
    if spec is None or issues:
        for issue in issues:
            click.echo(str(issue), err=True)
        raise click.ClickException(_("Fix the bank file first (flask content check), then import."))
    return services.Target(slug, Settings.of(spec), from_spec(spec), authored=not spec.imported_from)


def _default_slug(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if not slug:
        raise click.ClickException(_("Name the bank with --to (lower-case letters, digits and '-'), e.g. --to "
                                     "branch-quiz-2027."))
    return slug


def _read(path: Path, fmt: str | None) -> importer.Parsed:
    try:
        return importer.read(path.name, path.read_bytes(), fmt)
    except importer.ImportRefused as error:
        raise click.ClickException(f"{path}: {messages.refusal(error.code, error.params)}") from None
    except SheetError as error:
        raise click.ClickException(f"{path}: {messages.refusal(error.code)}") from None
    except UploadRefused as error:
        raise click.ClickException(f"{path}: {refusal_message(error)}") from None


@bank_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "slug", help="The bank to write: quizzes/<SLUG>.yaml (default: from the file name).")
@click.option("--dry-run", is_flag=True, help="Only report what importing would do; write nothing.")
@click.option("--format", "fmt", type=click.Choice(importer.FORMATS), help="Read as this format, whatever the extension.")
@click.option("--title", help="The title of a new bank (default: the file name).")
def import_(path: Path, slug: str | None, dry_run: bool, fmt: str | None, title: str | None):
    """Import a question bank file (.xlsx/.xls/.csv 题库, Moodle .xml, .gift, Aiken .txt) into quizzes/.

    Every bad row is printed with its row (or line) and column; good rows are written, bad rows never;
    the exit status is 1 when any row was bad."""
    slug = slug or _default_slug(path)
    try:
        services.check_slug(slug)
    except services.BankError as error:
        raise click.ClickException(messages.refusal(error.code)) from None
    result, checked = services.preview(_read(path, fmt), _file_target(slug), filename=path.name, title=title or "")
    problems = _report(path, result, checked)
    if checked.spec is not None and result.changes and not dry_run:
        _bank_path(slug).parent.mkdir(parents=True, exist_ok=True)
        _bank_path(slug).write_text(checked.text, encoding="utf-8")
        click.echo(_("Wrote %(path)s: review it, then commit it and run flask content sync.", path=_bank_path(slug)))
    elif dry_run:
        click.echo(_("Dry run: nothing was written."))
    if problems:
        sys.exit(1)


def _report(path: Path, result, checked) -> list:
    """Print every problem (by row) and the counts; return the problems."""
    problems = sorted(result.problems + checked.problems, key=lambda p: (p.where.sheet, p.where.row, p.where.letter))
    for problem in problems:
        click.echo(f"{path.name}: {messages.located(problem)}", err=True)
    click.echo(_("%(new)d new, %(changed)d changed, %(unchanged)d unchanged; %(bad)d row(s) not imported.",
                 new=len(result.new), changed=len(result.changed), unchanged=len(result.unchanged), bad=len(problems)))
    return problems


@bank_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(list(services.EXPORTS)), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: "
              "standard output).")
def export(slug: str, fmt: str, output: Path | None):
    """Write a bank's current version as an Excel 题库, Moodle XML, GIFT or Aiken file."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if quiz is None or quiz.current_version is None:
        raise click.ClickException(_("No bank is called %(slug)s (flask content sync loads the bundled ones).",
                                     slug=slug))
    content, _name, _type, skipped = services.export(quiz.current_version, fmt)
    for question in skipped:
        click.echo(_("skipped (the format cannot hold a %(kind)s question): %(key)s %(stem)s", kind=question.kind,
                     key=question.key, stem=question.stem[:40]), err=True)
    _emit(content, output, binary=fmt == "xlsx")


@bank_cli.command("template")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def template(output: Path):
    """Write the blank 题库 workbook: the header the import reads, a legend sheet, two examples per kind."""
    _emit(sheet.blank_template(), output, binary=True)


def _emit(content: bytes, output: Path | None, *, binary: bool) -> None:
    if output is not None:
        output.write_bytes(content)
        click.echo(_("Wrote %(path)s.", path=output), err=True)
    elif binary and sys.stdout.isatty():
        raise click.ClickException(_("A workbook is not text: give -o FILE."))
    else:
        click.get_binary_stream("stdout").write(content)
