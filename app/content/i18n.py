"""Localised content text: the Simplified source, an author's override, or an OpenCC conversion."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese, character by character and by OpenCC's phrase table."""
    return _converter().convert(text) if text else text


def fill_traditional(texts: dict) -> dict:
    """Return ``texts`` with a zh_Hant entry derived from zh_Hans when the author gave none."""
    if "zh_Hant" not in texts and "zh_Hans" in texts:
        return {**texts, "zh_Hant": to_traditional(texts["zh_Hans"])}
    return dict(texts)


def pick(texts: dict | None, locale: str) -> str:
    """The text for ``locale``, falling back to Simplified Chinese."""
    if not texts:
        return ""
    return texts.get(locale) or texts.get("zh_Hans") or next(iter(texts.values()), "")


@lru_cache(maxsize=1)
def _to_simplified():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (used to match words whichever script was typed)."""
    return _to_simplified().convert(text) if text else text
