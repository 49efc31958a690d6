"""`flask translate ...`: keep the three interface catalogs complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.config import PROJECT_ROOT
from app.core.locks import one_at_a_time
from app.core.multilingual import to_traditional
from app.core.uploads import sweep_all

translate_cli = AppGroup("translate", help="Interface translations (zh_Hans, zh_Hant, en).")
uploads_cli = AppGroup("uploads", help="Uploaded files waiting between preview and apply.")


@uploads_cli.command("sweep")
@one_at_a_time("uploads sweep")
def sweep():
    """Delete uploads that were previewed but not applied within a day (run daily from cron)."""
    removed = sweep_all(Path(current_app.instance_path) / "uploads")
    click.echo(f"{removed} unapplied upload(s) older than a day deleted")
CATALOGS = PROJECT_ROOT / "app" / "translations"
POT = PROJECT_ROOT / "messages.pot"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=PROJECT_ROOT)


@translate_cli.command("update")
def update():
    """Extract the strings from code and templates and merge them into the three catalogs."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
             "-o", str(POT), "app")
    for locale in ("zh_Hans", "zh_Hant", "en"):
        po = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "-i", str(POT), "-d", str(CATALOGS), "-l", locale, "--no-fuzzy-matching")
        else:
            _pybabel("init", "-i", str(POT), "-d", str(CATALOGS), "-l", locale)
    derive_catalogs(CATALOGS)
    POT.unlink()


@translate_cli.command("compile")
def compile_():
    """Compile the catalogs to .mo files (done by the set-up; .mo files are not committed)."""
    _pybabel("compile", "-d", str(CATALOGS), "--statistics")


def derive_catalogs(root: Path) -> None:
    """English = the msgid; Traditional Chinese = OpenCC of the Simplified translation, unless set by hand."""
    from babel.messages.pofile import write_po

    hans, hant, en = _read_catalog(root, "zh_Hans"), _read_catalog(root, "zh_Hant"), _read_catalog(root, "en")
    for message in en:
        if message.id and not _filled(message.string):
            message.string = message.id
    _derive_traditional(hant, hans)
    for locale, catalog in (("zh_Hant", hant), ("en", en)):
        with open(root / locale / "LC_MESSAGES" / "messages.po", "wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False)


def _read_catalog(root: Path, locale: str):
    from babel.messages.pofile import read_po

    with open(root / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


def _derive_traditional(hant, hans) -> None:
    """Fill each empty Traditional Chinese translation from the Simplified one, converted by OpenCC."""
    for message in hant:
        if not message.id or _filled(message.string):
            continue
        source = hans.get(message.id, message.context)
        if source is not None and _filled(source.string):
            message.string = (
                to_traditional(source.string) if isinstance(source.string, str)
                else tuple(to_traditional(s) for s in source.string)
            )


def _filled(value) -> bool:
    return bool(value) and (all(value) if isinstance(value, tuple) else True)
