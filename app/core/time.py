"""Time helpers: every stored timestamp is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def local_now(timezone_name: str = "Asia/Shanghai") -> datetime:
    """Now in the bank's time zone (campaign days and daily caps follow the local calendar)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(timezone_name)
    except ZoneInfoNotFoundError:  # no tz database: China has kept UTC+8 without DST since 1991
        from datetime import timedelta, timezone

        zone = timezone(timedelta(hours=8))
    return datetime.now(zone)
