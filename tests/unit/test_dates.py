"""Dates as writers type them, and dates as readers see them in Chinese and English."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from digest.dates import (
    date_from_source,
    date_problem,
    default_date_pattern,
    format_date,
    format_period,
    parse_date,
    range_problem,
    source_date_problem,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


# ---- parse_date -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024/02/19", datetime(2024, 2, 19, tzinfo=SHANGHAI)),
        ("2024-02-19", datetime(2024, 2, 19, tzinfo=SHANGHAI)),
        ("2024-2-9", datetime(2024, 2, 9, tzinfo=SHANGHAI)),
        ("2024-02-19 08:30", datetime(2024, 2, 19, 8, 30, tzinfo=SHANGHAI)),
        ("2024/02/19 8:05", datetime(2024, 2, 19, 8, 5, tzinfo=SHANGHAI)),
        ("2024-02-19 08:30:15", datetime(2024, 2, 19, 8, 30, 15, tzinfo=SHANGHAI)),
        ("2024-02-19T08:30", datetime(2024, 2, 19, 8, 30, tzinfo=SHANGHAI)),
        ("  2024-02-19  ", datetime(2024, 2, 19, tzinfo=SHANGHAI)),
    ],
)
def test_naive_strings_are_read_in_the_given_zone(value: str, expected: datetime) -> None:
    parsed = parse_date(value, SHANGHAI)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is SHANGHAI


@pytest.mark.parametrize(
    ("value", "offset"),
    [
        ("2024-02-19T08:30:00+08:00", timedelta(hours=8)),
        ("2024-02-19T08:30:00-05:00", timedelta(hours=-5)),
        ("2024-02-19 08:30 +0100", timedelta(hours=1)),
        ("2024-02-19T08:30:00Z", timedelta(0)),
        ("2024-02-19T08:30:00.250Z", timedelta(0)),
    ],
)
def test_iso_8601_with_an_offset_keeps_its_offset(value: str, offset: timedelta) -> None:
    parsed = parse_date(value, LOS_ANGELES)
    assert parsed is not None
    assert (parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute) == (
        2024,
        2,
        19,
        8,
        30,
    )
    assert parsed.utcoffset() == offset


def test_the_same_naive_time_is_a_different_moment_in_another_zone() -> None:
    in_shanghai = parse_date("2024-02-19 08:30", SHANGHAI)
    in_los_angeles = parse_date("2024-02-19 08:30", LOS_ANGELES)
    assert in_shanghai is not None
    assert in_los_angeles is not None
    assert in_los_angeles - in_shanghai == timedelta(hours=16)


def test_yaml_date_becomes_midnight_in_the_given_zone() -> None:
    assert parse_date(date(2024, 2, 19), SHANGHAI) == datetime(2024, 2, 19, tzinfo=SHANGHAI)


def test_yaml_naive_datetime_is_read_in_the_given_zone() -> None:
    parsed = parse_date(datetime(2024, 2, 19, 8, 30), LOS_ANGELES)
    assert parsed == datetime(2024, 2, 19, 8, 30, tzinfo=LOS_ANGELES)


def test_yaml_aware_datetime_is_kept() -> None:
    aware = datetime(2024, 2, 19, 8, 30, tzinfo=timezone(timedelta(hours=9)))
    parsed = parse_date(aware, SHANGHAI)
    assert parsed == aware
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-02-19 25:00",
        "2024-02-19 08:60",
        "19/02/2024",
        "2024.02.19",
        "20240219",
        "2024-02-19 08",
        "today",
        "",
    ],
)
def test_strings_that_are_not_dates_give_none(value: str) -> None:
    assert parse_date(value, SHANGHAI) is None


def test_impossible_offset_gives_none() -> None:
    assert parse_date("2024-02-19T08:30+25:00", SHANGHAI) is None


@pytest.mark.parametrize("value", [20240219, 2024.5, None, True, ["2024-02-19"], {"y": 2024}])
def test_values_that_are_not_strings_or_dates_give_none(value: object) -> None:
    assert parse_date(value, SHANGHAI) is None


# ---- date_from_source -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("2024-02-19-gemini.md", (date(2024, 2, 19), "gemini")),
        ("2024-02-19_gemini.md", (date(2024, 2, 19), "gemini")),
        ("2024-02-19-中文标题.md", (date(2024, 2, 19), "中文标题")),
        ("2024-02-19.md", (date(2024, 2, 19), "")),
        ("news/2024-02-19-launch.md", (date(2024, 2, 19), "launch")),
        ("2024/02/19.md", (date(2024, 2, 19), "")),
        ("2024/02-19.md", (date(2024, 2, 19), "")),
        ("2024/02-19-gemini.md", (date(2024, 2, 19), "gemini")),
        ("2024/02/19/gemini.md", (date(2024, 2, 19), "gemini")),
    ],
)
def test_date_and_slug_from_the_path(source: str, expected: tuple[date, str]) -> None:
    assert date_from_source(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "about.md",
        "2024/about.md",
        "2024/02/notes.md",
        "2024-2-19-short-month.md",
        "2024-02-19gemini.md",
        "2024-02-30-impossible.md",
        "2024/02-30.md",
        "2024/13/01/impossible.md",
    ],
)
def test_paths_without_a_real_date_give_none(source: str) -> None:
    assert date_from_source(source) is None


# ---- formatting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "pattern"),
    [
        ("zh-CN", "{year}年{month}月{day}日"),
        ("zh-TW", "{year}年{month}月{day}日"),
        ("ja", "{year}年{month}月{day}日"),
        ("en", "{month_name} {day}, {year}"),
        ("en-US", "{month_name} {day}, {year}"),
    ],
)
def test_default_date_pattern_follows_the_language(language: str, pattern: str) -> None:
    assert default_date_pattern(language) == pattern


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-CN", "2024年2月9日"), ("en", "February 9, 2024")],
)
def test_format_date_with_the_default_pattern(language: str, expected: str) -> None:
    day = date(2024, 2, 9)
    assert format_date(day, default_date_pattern(language), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-CN", "2024-02-09 星期五"), ("en", "2024-02-09 Friday")],
)
def test_format_date_pads_mm_dd_and_names_the_weekday(language: str, expected: str) -> None:
    assert format_date(date(2024, 2, 9), "{year}-{mm}-{dd} {weekday}", language) == expected


def test_format_date_sunday_in_chinese() -> None:
    assert format_date(date(2024, 2, 18), "{weekday}", "zh-CN") == "星期日"


@pytest.mark.parametrize(
    ("kind", "language", "expected"),
    [
        ("year", "zh-CN", "2024年"),
        ("month", "zh-CN", "2024年2月"),
        ("day", "zh-CN", "2024年2月9日"),
        ("year", "en", "2024"),
        ("month", "en", "February 2024"),
        ("day", "en", "February 9, 2024"),
    ],
)
def test_format_period_titles(kind: str, language: str, expected: str) -> None:
    assert format_period(kind, date(2024, 2, 9), language) == expected


def test_format_period_day_uses_the_site_pattern() -> None:
    assert format_period("day", date(2024, 2, 9), "en", "{year}/{mm}/{dd}") == "2024/02/09"


# ---- why a date-shaped text is no date ------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-02-30", "February has 28 days in 2026"),
        ("2024-02-30", "February has 29 days in 2024"),
        ("2024/04/31", "April has 30 days"),
        ("2024-01-00", "there is no day 0"),
        ("2026-13-01", "there is no month 13"),
        ("0000-00-00", "there is no year 0"),
        ("2024-02-19 24:00", "there is no hour 24; hours go from 00 to 23"),
        ("2024-02-19T10:60", "there is no minute 60; minutes go from 00 to 59"),
        ("2024-02-19T10:00:61Z", "there is no second 61; seconds go from 00 to 59"),
        ("2024-02-19T10:00:00+24:00", "the offset +24:00 is not between -23:59 and +23:59"),
        ("2024-02-19T10:00:00-0960", "the offset -0960 is not between -23:59 and +23:59"),
        ("2024-02-29", None),
        ("2024-02-19T23:59:59+14:00", None),
        ("someday", None),
    ],
)
def test_date_problem_says_why_a_date_is_none(value: str, problem: str | None) -> None:
    assert date_problem(value) == problem
    if problem:
        assert parse_date(value, UTC) is None


def test_range_problem_names_the_zone_that_moves_a_moment_off_the_calendar() -> None:
    last = datetime(9999, 12, 31, 20, tzinfo=timezone(timedelta(hours=-12)))
    first = datetime(1, 1, 1, 5, tzinfo=UTC)

    assert range_problem(last, UTC, "UTC") == (
        "in UTC that is after 9999-12-31, the last day there is"
    )
    assert range_problem(first, LOS_ANGELES, "America/Los_Angeles") == (
        "in America/Los_Angeles that is before 0001-01-01, the first day there is"
    )
    assert range_problem(first, SHANGHAI, "Asia/Shanghai") is None


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("2026/02-30.md", ("2026-02-30", "February has 28 days in 2026")),
        ("2026-02-30-openai.md", ("2026-02-30", "February has 28 days in 2026")),
        ("2024/13/01/index.md", ("2024-13-01", "there is no month 13")),
        ("2024/02-19.md", None),
        ("notes.md", None),
    ],
)
def test_source_date_problem_names_a_file_date_that_is_no_day(
    source: str, found: tuple[str, str] | None
) -> None:
    assert source_date_problem(source) == found
