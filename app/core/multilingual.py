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


# the role-play competencies (content.scenario_graph.COMPETENCIES) as an English reader knows them
TERMS_EN = {
    "倾听与共情": "Listening and empathy", "首问负责": "First-contact ownership", "风险揭示": "Risk disclosure",
    "合规话术": "Compliant wording", "情绪安抚": "Calming emotions", "反诈干预": "Fraud intervention",
    "信息保护": "Information protection", "适当性管理": "Suitability", "适老与无障碍服务": "Elderly and accessible service",
}


def term(text: str | None, locale: str) -> str:
    """A short piece of content written in Simplified Chinese only (a competency, a tag, an audience)
    in the reader's script: OpenCC for Traditional Chinese, the known English term where there is one."""
    if not text:
        return ""
    if locale == "zh_Hant":
        return to_traditional(text)
    if locale == "en":
        return TERMS_EN.get(text, text)
    return text
