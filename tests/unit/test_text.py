"""Counting and cutting mixed Chinese/English text: one CJK character or one word per unit."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.text import _CJK, TextStats, text_stats, truncate


@pytest.mark.parametrize(
    ("text", "cjk", "words"),
    [
        ("GPT-4o 是 OpenAI 的模型", 4, 2),
        ("你好，世界！Hello, world!", 4, 2),
        ("It's a state-of-the-art model.", 0, 4),
        ("ひらがな カタカナ 한국어", 11, 0),
        ("café naïve", 0, 2),
        ("𠀀𠀁", 2, 0),
        ("，。！？、", 0, 0),
        ("", 0, 0),
    ],
)
def test_text_stats_counts_cjk_characters_and_words_apart(text: str, cjk: int, words: int) -> None:
    assert text_stats(text) == TextStats(cjk_characters=cjk, words=words)


_MIXED = st.text(
    st.sampled_from(
        ["字", "〇", "ア", "한", "𠀀", "々", "a", "Z", "9", "é", " ", "，", "！", "😀", "\n"]
    )
)


@given(_MIXED)
def test_every_cjk_character_counts_once_however_they_run_together(text: str) -> None:
    assert text_stats(text).cjk_characters == sum(
        1 for character in text if re.fullmatch(f"[{_CJK}]", character)
    )


@pytest.mark.parametrize(
    ("cjk", "words", "minutes"),
    [
        (0, 0, 1),
        (300, 0, 1),
        (301, 0, 2),
        (0, 200, 1),
        (0, 201, 2),
        (150, 100, 1),
        (151, 100, 2),
        (3000, 0, 10),
    ],
)
def test_reading_minutes_rounds_up_and_is_at_least_one(cjk: int, words: int, minutes: int) -> None:
    assert TextStats(cjk_characters=cjk, words=words).reading_minutes == minutes


def test_reading_minutes_of_real_text() -> None:
    assert text_stats("字" * 600 + " word" * 200).reading_minutes == 3


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("你好世界", 2, "你好…"),
        ("Hello wonderful world", 2, "Hello wonderful…"),
        ("模型 GPT-4o 发布了", 3, "模型 GPT-4o…"),
        ("state-of-the-art model", 1, "state-of-the-art…"),
        ("Hello，世界 again", 2, "Hello，世…"),
    ],
)
def test_truncate_cuts_between_units_and_adds_an_ellipsis(
    text: str, limit: int, expected: str
) -> None:
    assert truncate(text, limit) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Hello, world again", 1, "Hello…"),
        ("一二三，四五", 3, "一二三…"),
        ("第一条、第二条", 3, "第一条…"),
        ("Ready: set go", 1, "Ready…"),
    ],
)
def test_truncate_drops_a_trailing_comma_or_colon_before_the_ellipsis(
    text: str, limit: int, expected: str
) -> None:
    assert truncate(text, limit) == expected


@pytest.mark.parametrize(
    ("text", "limit"),
    [("你好世界", 4), ("你好世界", 10), ("Hello world", 2), ("", 5)],
)
def test_truncate_without_a_cut_adds_no_ellipsis(text: str, limit: int) -> None:
    assert truncate(text, limit) == text


def test_truncate_squashes_whitespace() -> None:
    assert truncate("  多   空格\n换行  ", 10) == "多 空格 换行"


def test_truncate_never_splits_a_latin_word() -> None:
    text = "Researchers released internationalization tooling"
    for limit in range(1, 5):
        kept = truncate(text, limit).removesuffix("…")
        assert kept.split() == text.split()[:limit]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        # A clause ends in the last third of what fits: the cut falls there, not mid-phrase.
        (
            "谷歌今天发布了新的模型，用户换成他家的了，后面计划还有更多内容",
            22,
            "谷歌今天发布了新的模型，用户换成他家的了…",
        ),
        # A sentence end keeps its full stop.
        ("模型今天正式发布了。更多细节稍后公布出来", 12, "模型今天正式发布了。…"),
        (
            "The model shipped today. More details will follow soon enough",
            5,
            "The model shipped today.…",
        ),
        # The only boundary is early (first two thirds): cut at the limit as before.
        ("今天，模型正式发布了更多的细节稍后公布", 10, "今天，模型正式发布了更…"),
    ],
)
def test_truncate_prefers_a_sentence_or_clause_end_near_the_limit(
    text: str, limit: int, expected: str
) -> None:
    assert truncate(text, limit) == expected
