"""URL rules: heading ids, slugs, permalinks, output paths, base paths, relative links."""

from __future__ import annotations

from datetime import date

import pytest

from digest.urls import (
    anchor_id,
    base_path,
    expand_permalink,
    is_local_reference,
    join,
    output_path,
    resolve_local,
    slugify,
)

PERMALINK = "/{year}/{month}/{day}/{slug}/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.谷歌推出了 Gemini 1.5 Pro", "1谷歌推出了-gemini-15-pro"),
        ("OpenAI 发布 GPT-4o（免费）", "openai-发布-gpt-4o免费"),
        ("Hello, World!", "hello-world"),
        ("C++ & Rust", "c--rust"),
        ("snake_case 名字", "snake_case-名字"),
        ("日本語のニュース", "日本語のニュース"),
        ("？！", ""),
    ],
)
def test_anchor_id(text: str, expected: str) -> None:
    assert anchor_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("机器学习", "机器学习"),
        ("大模型 LLM", "大模型-llm"),
        ("Machine Learning", "machine-learning"),
        ("GPT-4o", "gpt-4o"),
        ("AI/ML", "ai-ml"),
        ("what?!", "what"),
        ("「开源」模型", "开源-模型"),
        ("日本語・テスト", "日本語-テスト"),
        ("snake_case", "snake-case"),
        ("  --多余--的   空格--  ", "多余-的-空格"),
        ("Ｆｕｌｌ　Ｗｉｄｔｈ", "full-width"),
        ("!!!", ""),
    ],
)
def test_slugify_keeps_cjk_drops_punctuation_and_lowercases(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_expand_permalink_fills_the_pattern_with_padded_date() -> None:
    assert expand_permalink(PERMALINK, date(2024, 2, 9), "gemini") == "/2024/02/09/gemini/"


def test_expand_permalink_without_slug_is_the_day_url() -> None:
    assert expand_permalink(PERMALINK, date(2024, 2, 9), "") == "/2024/02/09/"
    assert expand_permalink("/posts/{slug}/", date(2024, 2, 9), "") == "/2024/02/09/"


def test_expand_permalink_with_a_cjk_slug_and_another_pattern() -> None:
    assert expand_permalink("/posts/{slug}.html", date(2024, 2, 9), "周报") == "/posts/周报.html"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "index.html"),
        ("/2024/02/19/", "2024/02/19/index.html"),
        ("/tags/机器学习/", "tags/机器学习/index.html"),
        ("/404.html", "404.html"),
        ("/feed.xml", "feed.xml"),
    ],
)
def test_output_path(url: str, expected: str) -> None:
    assert output_path(url) == expected


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://example.org", "/"),
        ("https://example.org/", "/"),
        ("https://example.org/news", "/news/"),
        ("https://example.org/news/", "/news/"),
        ("https://example.org/a/b/", "/a/b/"),
        ("/", "/"),
        ("", "/"),
    ],
)
def test_base_path(base_url: str, expected: str) -> None:
    assert base_path(base_url) == expected


@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        ("/", "/2024/02/19/", "/2024/02/19/"),
        ("/news/", "/2024/02/19/", "/news/2024/02/19/"),
        ("/news", "/2024/", "/news/2024/"),
        ("/news/", "/", "/news/"),
        ("/", "/tags/机器学习/", "/tags/%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0/"),
        ("/news/", "/a b/", "/news/a%20b/"),
        ("/", "/already%20encoded/", "/already%20encoded/"),
        ("/", "/files/a.pdf?v=1&x=2#p3", "/files/a.pdf?v=1&x=2#p3"),
    ],
)
def test_join_adds_the_base_path_and_percent_encodes(base: str, url: str, expected: str) -> None:
    assert join(base, url) == expected


@pytest.mark.parametrize(
    ("ref", "local"),
    [
        ("images/a.png", True),
        ("./a.png", True),
        ("../shared/b.svg", True),
        ("附件/报告.pdf", True),
        ("notes.md#part-2", True),
        ("/tags/ai/", False),
        ("#top", False),
        ("?page=2", False),
        ("https://example.com/a.png", False),
        ("//cdn.example.com/a.js", False),
        ("mailto:editor@example.com", False),
        ("data:image/png;base64,iVBORw0KGgo=", False),
        ("", False),
    ],
)
def test_is_local_reference(ref: str, local: bool) -> None:
    assert is_local_reference(ref) is local


@pytest.mark.parametrize(
    ("folder", "ref", "expected"),
    [
        ("2024", "images/a.png", "/2024/images/a.png"),
        ("", "images/a.png", "/images/a.png"),
        ("2024", "./data.csv", "/2024/data.csv"),
        ("2024", "../shared/b.svg", "/shared/b.svg"),
        ("2024/02", "../x/y.png", "/2024/x/y.png"),
        ("2024", "a/../b.png", "/2024/b.png"),
        ("2024", "sub/", "/2024/sub/"),
        ("2024", "files/a.pdf?v=2#page=3", "/2024/files/a.pdf?v=2#page=3"),
        ("2024", "notes.md#part-2", "/2024/notes.md#part-2"),
    ],
)
def test_resolve_local(folder: str, ref: str, expected: str) -> None:
    assert resolve_local(folder, ref) == expected


@pytest.mark.parametrize(
    ("folder", "ref"),
    [("2024", "../../secret.txt"), ("", "../a.png"), ("2024", "a/../../../b.png")],
)
def test_resolve_local_climbing_out_of_content_gives_none(folder: str, ref: str) -> None:
    assert resolve_local(folder, ref) is None
