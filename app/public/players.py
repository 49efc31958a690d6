"""Nicknames, regions and player keys for anonymous plays. Pure Python (no Flask).

Nothing personal is asked: a nickname (optional, checked for length and banned words, never a
phone or account number) and a province-level region (optional, from a fixed list).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from app.core.multilingual import to_simplified

NICKNAME_MAX = 12
REGIONS = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南",
    "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾",
)
_DIGITS = re.compile(r"\d")
_CONTACT = re.compile(r"(https?:|www\.|@|\.com|\.cn)", re.IGNORECASE)
_ALLOWED = re.compile(r"^[\w\u00b7\u3400-\u9fff\uf900-\ufaff ·._-]+$")


class NicknameError(ValueError):
    """Why a nickname was refused; ``code`` selects the message shown to the player."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@lru_cache(maxsize=1)
def banned_words() -> tuple[str, ...]:
    path = Path(__file__).with_name("banned_words.txt")
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(_normalise(line))
    return tuple(words)


def _normalise(text: str) -> str:

    text = unicodedata.normalize("NFKC", text).lower()
    text = to_simplified(text)
    return re.sub(r"[\s·._\-*]+", "", text)


def clean_nickname(raw: str | None) -> str | None:
    """The nickname to store (None when left empty); raises NicknameError when it is refused."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = re.sub(r"\s+", " ", text)
    if not text:
        return None
    if len(text) > NICKNAME_MAX:
        raise NicknameError("too_long")
    if not _ALLOWED.match(text):
        raise NicknameError("characters")
    if len(_DIGITS.findall(text)) >= 5 or _CONTACT.search(text):
        raise NicknameError("contact")
    flat = _normalise(text)
    if any(word and word in flat for word in banned_words()):
        raise NicknameError("banned")
    return text


def mask(nickname: str | None) -> str | None:
    """王小丽 → 王*丽, 小明 → 小*, 阿 → 阿*: enough to recognise yourself, not to be found."""
    if not nickname:
        return None
    if len(nickname) <= 2:
        return nickname[0] + "*"
    return nickname[0] + "*" * min(len(nickname) - 2, 3) + nickname[-1]


def clean_region(raw: str | None) -> str | None:
    region = (raw or "").strip()
    return region if region in REGIONS else None


def player_key(cookie_token: str) -> str:
    """What is stored for a player: a hash of their cookie, never the cookie itself."""
    return hashlib.sha256(f"player\0{cookie_token}".encode()).hexdigest()


def answer_token(secret: str | bytes, play_token: str, key: str) -> str:
    """The answer form's CSRF token: bound to the play and to the player's cookie (``key`` is
    ``player_key`` of it), so only a page the player was shown can answer, and checking it needs
    neither the session nor a clock (a signed double-submit token)."""
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, f"public-answer\0{play_token}\0{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def answer_token_matches(sent: str, secret: str | bytes, play_token: str, key: str) -> bool:
    return len(sent) == 43 and hmac.compare_digest(sent, answer_token(secret, play_token, key))
