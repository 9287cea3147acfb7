"""Reading the date forms writers type, and writing dates in the site language.

Layer 0: imports nothing from digest. Pure functions; the caller supplies the zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from functools import cache

_DATE_STRING = re.compile(
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<F>\d{1,6})\d*)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[-_ ]+)(.*)$")
_FOLDER_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")
_FOLDER_NAME_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{2})-(\d{2})(?:[-_ ]+(.*))?$")

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def parse_date(value: object, zone: tzinfo) -> datetime | None:
    """An aware datetime from a front-matter value, or None when it is not a date.

    Accepts YAML/TOML dates and datetimes and the strings ``2024/02/19``,
    ``2024-02-19`` (optionally `` HH:MM[:SS]``) and ISO 8601 with an offset.
    Naive values are read in ``zone``.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    if not isinstance(value, str):
        return None
    match = _DATE_STRING.match(value.strip())
    if match is None:
        return None
    parts = match.groupdict()
    try:
        naive = datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts["H"] or 0),
            int(parts["M"] or 0),
            int(parts["S"] or 0),
            int((parts["F"] or "0").ljust(6, "0")),
        )
    except ValueError:
        return None
    offset = parts["tz"]
    if offset is None:
        return naive.replace(tzinfo=zone)
    iso = naive.isoformat() + ("+00:00" if offset == "Z" else _colon_offset(offset))
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def _colon_offset(offset: str) -> str:
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def date_from_source(source: str) -> tuple[date, str] | None:
    """Date and remaining slug read from a content-relative path, if it holds one.

    ``2024-02-19-gemini.md`` → (2024-02-19, "gemini"); ``2024/02/19.md`` and
    ``2024/02-19.md`` → (2024-02-19, ""); ``2024/02-19-gemini.md`` and
    ``2024/02/19/gemini.md`` → (2024-02-19, "gemini"); ``2024/02/19/index.md`` → (…, "").
    """
    stem = source.rsplit(".", 1)[0]
    name = stem.rsplit("/", 1)[-1]
    found = _NAME_DATE.match(name)
    if found:
        day = _safe_date(found.group(1), found.group(2), found.group(3))
        return (day, found.group(4)) if day else None
    in_year_folder = _FOLDER_NAME_DATE.search(stem)
    if in_year_folder:
        day = _safe_date(*in_year_folder.group(1, 2, 3))
        return (day, in_year_folder.group(4) or "") if day else None
    in_day_folder = _FOLDER_DATE.search(stem)
    if in_day_folder:
        day = _safe_date(*in_day_folder.group(1, 2, 3))
        rest = stem[in_day_folder.end() :].rsplit("/", 1)[-1]
        return (day, "" if rest == "index" else rest) if day else None
    return None


def _safe_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


@cache
def is_chinese_or_japanese(language: str) -> bool:
    return language.lower().split("-")[0] in ("zh", "ja")


def default_date_pattern(language: str) -> str:
    """The long date pattern: ``{year}年{month}月{day}日`` or ``{month_name} {day}, {year}``."""
    if is_chinese_or_japanese(language):
        return "{year}年{month}月{day}日"
    return "{month_name} {day}, {year}"


def format_date(moment: date, pattern: str, language: str) -> str:
    """Fill a date pattern; tokens: year month day month_name weekday (+ mm dd padded)."""
    weekdays = WEEKDAYS_ZH if is_chinese_or_japanese(language) else WEEKDAYS_EN
    return pattern.format(
        year=moment.year,
        month=moment.month,
        day=moment.day,
        mm=f"{moment.month:02d}",
        dd=f"{moment.day:02d}",
        month_name=MONTHS_EN[moment.month - 1],
        weekday=weekdays[moment.weekday()],
    )


@cache
def format_period(kind: str, start: date, language: str, day_pattern: str = "") -> str:
    """Title of a year, month or day archive in the site language."""
    chinese = is_chinese_or_japanese(language)
    if kind == "year":
        return f"{start.year}年" if chinese else str(start.year)
    if kind == "month":
        if chinese:
            return f"{start.year}年{start.month}月"
        return f"{MONTHS_EN[start.month - 1]} {start.year}"
    return format_date(start, day_pattern or default_date_pattern(language), language)
