"""Every interface string is translated in all three catalogs, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parent.parent / "app" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def _strings(value):
    return list(value) if isinstance(value, tuple) else [value]


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_catalog_is_complete_and_keeps_placeholders(locale):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale=locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = _strings(message.id)
        strings = _strings(message.string)
        if not all(strings) or message.fuzzy:
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        expected = sorted(set(PLACEHOLDER.findall(ids[0])))
        for translated in strings:
            if sorted(set(PLACEHOLDER.findall(translated))) != expected:
                problems.append(f"placeholders differ: {ids[0]!r} -> {translated!r}")
    assert problems == []
    assert len(catalog) > 150


def test_every_string_in_the_code_is_in_the_catalogs():
    """Fails when someone adds a string without running `flask translate update`."""
    from babel.messages.extract import extract_from_dir

    root = CATALOGS.parent
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(str(root), method_map, keywords={"_": None, "_l": None, "gettext": None,
                                                                      "ngettext": (1, 2), "lazy_gettext": None})
    }
    with open(CATALOGS / "zh_Hans" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh)}
    assert sorted(found - known) == []
