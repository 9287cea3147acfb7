"""Reading the date forms writers type, and writing dates in the site language.

Pure functions; the caller supplies the zone.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import MINYEAR, UTC, date, datetime, time, tzinfo
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
    Naive values are read in ``zone``. ``date_problem`` says why a string that looks
    like a date is none.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    if not isinstance(value, str):
        return None
    match = _DATE_STRING.match(value.strip())
    if match is None or _field_problem(match) is not None:
        return None
    parts = match.groupdict()
    naive = datetime(
        int(parts["y"]),
        int(parts["m"]),
        int(parts["d"]),
        int(parts["H"] or 0),
        int(parts["M"] or 0),
        int(parts["S"] or 0),
        int((parts["F"] or "0").ljust(6, "0")),
    )
    offset = parts["tz"]
    if offset is None:
        return naive.replace(tzinfo=zone)
    return datetime.fromisoformat(
        naive.isoformat() + ("+00:00" if offset == "Z" else _colon_offset(offset))
    )


def date_problem(value: str) -> str | None:
    """Why ``value``, written like a date, is not a real moment (None if it is one or
    does not look like a date): ``February has 28 days in 2026``, ``there is no hour 25``."""
    match = _DATE_STRING.match(value.strip())
    return _field_problem(match) if match else None


def day_problem(year: int, month: int, day: int) -> str | None:
    """Why year-month-day is not a day of the calendar, or None when it is one."""
    if year < MINYEAR:
        return f"there is no year {year}"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day < 1:
        return f"there is no day {day}"
    length = monthrange(year, month)[1]
    if day > length:
        if month == 2:
            return f"February has {length} days in {year}"
        return f"{MONTHS_EN[month - 1]} has {length} days"
    return None


def range_problem(moment: datetime, zone: tzinfo, zone_name: str) -> str | None:
    """Why an aware ``moment`` cannot be used: moved to UTC or ``zone`` it would fall
    outside the years 1 to 9999 that dates can have. None when it can."""
    for where, name in ((UTC, "UTC"), (zone, zone_name)):
        try:
            moment.astimezone(where)
        except OverflowError:
            edge = (
                "before 0001-01-01, the first"
                if moment.year == MINYEAR
                else "after 9999-12-31, the last"
            )
            return f"in {name} that is {edge} day there is"
    return None


def _field_problem(match: re.Match[str]) -> str | None:
    parts = match.groupdict()
    problem = day_problem(int(parts["y"]), int(parts["m"]), int(parts["d"]))
    if problem:
        return problem
    for key, name, top in (("H", "hour", 23), ("M", "minute", 59), ("S", "second", 59)):
        if parts[key] is not None and int(parts[key]) > top:
            return f"there is no {name} {int(parts[key])}; {name}s go from 00 to {top}"
    offset = parts["tz"]
    if offset and offset != "Z":
        digits = offset.replace(":", "")
        hours, minutes = int(digits[1:3]), int(digits[3:5])
        if minutes > 59 or hours > 23:
            return f"the offset {offset} is not between -23:59 and +23:59"
    return None


def _colon_offset(offset: str) -> str:
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def date_from_source(source: str) -> tuple[date, str] | None:
    """Date and remaining slug read from a content-relative path, if it holds one.

    ``2024-02-19-gemini.md`` → (2024-02-19, "gemini"); ``2024/02/19.md`` and
    ``2024/02-19.md`` → (2024-02-19, ""); ``2024/02-19-gemini.md`` and
    ``2024/02/19/gemini.md`` → (2024-02-19, "gemini"); ``2024/02/19/index.md`` → (…, "").
    A path whose date is no real day (``2026/02-30.md``) holds none: see
    ``source_date_problem``.
    """
    found = _source_date(source)
    if found is None or day_problem(*found[0]) is not None:
        return None
    return date(*found[0]), found[1]


def source_date_problem(source: str) -> tuple[str, str] | None:
    """The date a path is named with and why it is no real day, when it is none:
    ``2026/02-30.md`` → ("2026-02-30", "February has 28 days in 2026")."""
    found = _source_date(source)
    if found is None:
        return None
    problem = day_problem(*found[0])
    if problem is None:
        return None
    year, month, day = found[0]
    return f"{year:04d}-{month:02d}-{day:02d}", problem


def _source_date(source: str) -> tuple[tuple[int, int, int], str] | None:
    stem = source.rsplit(".", 1)[0]
    name = stem.rsplit("/", 1)[-1]
    found = _NAME_DATE.match(name)
    if found:
        return _numbers(*found.group(1, 2, 3)), found.group(4)
    in_year_folder = _FOLDER_NAME_DATE.search(stem)
    if in_year_folder:
        return _numbers(*in_year_folder.group(1, 2, 3)), in_year_folder.group(4) or ""
    in_day_folder = _FOLDER_DATE.search(stem)
    if in_day_folder:
        rest = stem[in_day_folder.end() :].rsplit("/", 1)[-1]
        return _numbers(*in_day_folder.group(1, 2, 3)), "" if rest == "index" else rest
    return None


def _numbers(year: str, month: str, day: str) -> tuple[int, int, int]:
    return int(year), int(month), int(day)


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
