"""Time: every stored timestamp is timezone-aware UTC; every rule's "today" is the business day.

Pure Python. ``utcnow`` is the one source of "now" for the application, so that tests can freeze
it (``freeze``) and see every page, export and rule agree on the same moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_frozen: datetime | None = None
_business_zone = "Asia/Shanghai"  # set from BUSINESS_TZ by create_app()


def utcnow() -> datetime:
    """Now, aware, in UTC (the frozen moment while a test holds one)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(moment: datetime | None) -> None:
    """Make ``utcnow`` return ``moment`` (aware) until called again with None. For tests and demos."""
    global _frozen
    _frozen = moment.astimezone(UTC) if moment is not None else None


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@lru_cache(maxsize=8)
def zone(name: str) -> tzinfo:
    """The time zone ``name``; China Standard Time (UTC+8, no daylight saving since 1991) without a tz database."""
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=8))


def local(moment: datetime, zone_name: str) -> datetime:
    """An instant as the clock on the wall in ``zone_name`` shows it."""
    return as_utc(moment).astimezone(zone(zone_name))


def local_date(moment: datetime, zone_name: str) -> date:
    """The calendar day an instant falls on in ``zone_name`` (17:30 UTC is the next day in Beijing)."""
    return local(moment, zone_name).date()


def today(zone_name: str) -> date:
    """Today in ``zone_name``."""
    return local_date(utcnow(), zone_name)


def local_now(zone_name: str = "Asia/Shanghai") -> datetime:
    """Now in ``zone_name``."""
    return local(utcnow(), zone_name)


def set_business_zone(zone_name: str) -> None:
    """The bank's time zone (BUSINESS_TZ), for every rule's today and every date shown."""
    global _business_zone
    zone(zone_name)  # fail early on a name that is no zone at all
    _business_zone = zone_name


def business_zone_name() -> str:
    return _business_zone


def business_today() -> date:
    """Today in the bank's time zone: the one "today" of every rule (due, overdue, on time, periods)."""
    return today(_business_zone)


def business_date(moment: datetime) -> date:
    """The business day an instant falls on."""
    return local_date(moment, _business_zone)


def business_time(moment: datetime) -> datetime:
    """An instant on the bank's wall clock (exports and the API write it in ISO 8601 with its offset)."""
    return local(moment, _business_zone)


def business_midnight(day: date) -> datetime:
    """The instant a business day begins (00:00 in the bank's zone), aware and in UTC: the form every
    stored time has, so comparisons hold on SQLite (which keeps times as text) as on PostgreSQL."""
    return datetime.combine(day, datetime.min.time(), tzinfo=zone(_business_zone)).astimezone(UTC)
