"""Settings. Every value can be overridden by an environment variable prefixed with FLASK_
(for example FLASK_SECRET_KEY), and the common deployment ones also by their plain name."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = ("zh_Hans", "zh_Hant", "en")


class DefaultConfig:
    """Defaults that work on a fresh machine with nothing set."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    BABEL_DEFAULT_LOCALE = "zh_Hans"
    # the bank's time zone: every rule's "today" (due, overdue, on time, periods, reminders) and every
    # date and time shown, printed and exported (stored times are UTC)
    BUSINESS_TZ = "Asia/Shanghai"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = LANGUAGES
    CONTENT_ROOT = str(PROJECT_ROOT)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    RATELIMIT_STORAGE_URI = "memory://"
    # two counters per limit and address (the previous window weighted by its remaining share): as close
    # to a moving window as a limit needs, in constant time and memory; the moving window kept a timestamp
    # per request for a whole window (100,000 a minute at a peak, copied by the memory store every 10 ms)
    RATELIMIT_STRATEGY = "sliding-window-counter"
    LOGIN_RATE_LIMIT = "10 per minute"
    PUBLIC_RATE_LIMIT = "60 per minute"
    API_RATE_LIMIT = "600 per minute"
    # public quiz play, per client address: starting plays, and answering (one answer every 8 s
    # is a brisk player; a whole family behind one router can still play side by side)
    PUBLIC_PLAY_RATE_LIMIT = "20 per minute"
    PUBLIC_ANSWER_RATE_LIMIT = "120 per minute"
    PUBLIC_RENDERED_ANSWERS = 4096  # answered states kept rendered per app server (public/answer_states.py)
    # how stale another server's write may leave this server's copy of the public catalogue (core/caching.py)
    CACHE_CHECK_SECONDS = 1.0
    # a leaderboard's top rows are ranked at most once in this many seconds per server; a player's own row at once
    PUBLIC_LEADERBOARD_SECONDS = 10
    # per client address and day, on top of each player's daily cap (a household or office shares an address)
    PUBLIC_PLAYS_PER_ADDRESS_PER_DAY = "300 per day"
    # an answer sooner than this after the previous one (or the start) keeps the play off the leaderboards
    PUBLIC_MIN_SECONDS_PER_QUESTION = 2.0
    # sign-in throttling: failures in a row without delay, per (account, client address) and per
    # client address; each further failure doubles the wait (1 s, 2 s, 4 s… up to 15 minutes)
    LOGIN_ACCOUNT_FREE_FAILURES = 5
    LOGIN_ADDRESS_FREE_FAILURES = 30
    EXAM_GRACE_SECONDS = 60
    # a lesson counts as read no sooner than its text takes at this many characters a minute (a quick
    # but careful reader of Chinese; never longer than the minutes the author gives it). 0: no minimum
    LESSON_MIN_READ_CHARS_PER_MINUTE = 900
    # argon2 cost; tests lower it so that a suite of hundreds of logins stays fast
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 65536
    LOG_LEVEL = "INFO"
    # the number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    # (0: none; the client address is the connection's). Rate limits and sign-in throttles key on it.
    TRUSTED_PROXIES = 0
    # the largest request body accepted (uploads); larger ones get a friendly 413 page
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # an uploaded workbook is refused before it is unpacked when its zip directory promises more
    # parts, more bytes or a tighter packing than these (zip bombs)
    UPLOAD_MAX_PARTS = 1000
    UPLOAD_MAX_UNPACKED_MB = 256
    UPLOAD_MAX_RATIO = 200
    # a roster import that changes more people than this is applied after the request, with a progress
    # page (a 200,000-person roster takes longer than a web worker may spend on one request)
    ROSTER_BACKGROUND_ROWS = 2000
    SMTP_HOST = ""
    SMTP_PORT = 25
    SMTP_STARTTLS = False
    MAIL_FROM = "xiaobao@localhost"
    # the address printed in posters, QR codes, emails and logins; unset: the address a request came to
    PUBLIC_BASE_URL = ""
    # assessment score: weighted mean of completion points, exam average and role-play average
    ASSESSMENT_WEIGHTS = {"completion": 0.6, "exam": 0.3, "scenario": 0.1}
    ASSESSMENT_LATE_CREDIT = 0.5


INTEGER_SETTINGS = {"TRUSTED_PROXIES", "MAX_CONTENT_LENGTH", "SMTP_PORT"}


# plain environment name → the setting it gives
PLAIN_ENVIRONMENT = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "REDIS_URL": "RATELIMIT_STORAGE_URI",
    "LOG_LEVEL": "LOG_LEVEL",
    "SMTP_HOST": "SMTP_HOST",
    "SMTP_PORT": "SMTP_PORT",
    "SMTP_USER": "SMTP_USER",
    "SMTP_PASSWORD": "SMTP_PASSWORD",
    "SMTP_STARTTLS": "SMTP_STARTTLS",
    "MAIL_FROM": "MAIL_FROM",
    "PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    "TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "MAX_CONTENT_LENGTH": "MAX_CONTENT_LENGTH",
    "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "BUSINESS_TZ": "BUSINESS_TZ",
}


def apply_environment(config: dict) -> None:
    """Read the plain environment names a sysadmin expects (DATABASE_URL, SECRET_KEY...)."""
    for env_name, key in PLAIN_ENVIRONMENT.items():
        value = os.environ.get(env_name)
        if value:
            config[key] = int(value) if key in INTEGER_SETTINGS else value
    if os.environ.get("HTTPS", "").lower() in {"1", "true", "yes"}:
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"


def normalise_database_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the key kept in instance/secret_key, creating it once (mode 0600) if absent."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        key = secrets.token_urlsafe(48)
        fh.write(key)
    return key
