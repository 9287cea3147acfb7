"""parse_post: front matter, dates, titles, slugs, summaries, and located errors."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from digest.config import Config
from digest.content import is_ignored, parse_post
from digest.errors import BuildFailed, ContentError

SHANGHAI = Config(timezone="Asia/Shanghai", language="zh-CN", base_url="https://example.org/")
ENGLISH = Config(timezone="UTC", language="en")


def test_slash_date_only_front_matter_gives_a_dated_day_page() -> None:
    post = parse_post("content/notes.md", "---\ndate: 2024/02/19\n---\n\n正文。\n", SHANGHAI).post

    assert post.date == datetime(2024, 2, 19, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert post.title == "2024年2月19日"
    assert post.url == "/2024/02/19/notes/"


def test_date_from_the_file_name_and_an_english_title() -> None:
    post = parse_post("content/2024-02-19.md", "Hello.\n", ENGLISH).post

    assert post.title == "February 19, 2024"
    assert post.slug == ""
    assert post.url == "/2024/02/19/"
    assert post.is_day_page


def test_first_heading_becomes_the_title_and_leaves_the_body() -> None:
    text = "---\ndate: 2024-02-19\n---\n\n# 今日要闻\n\n## 1. 第一条\n\n```nope\nx\n```\n"
    parsed = parse_post("content/a.md", text, SHANGHAI)

    assert parsed.post.title == "今日要闻"
    assert "<h1" not in parsed.post.html
    # Taking the title out keeps line numbers of everything below it.
    assert [str(w) for w in parsed.warnings] == [
        "content/a.md:9: unknown code language 'nope', shown as plain text"
    ]


def test_front_matter_datetime_with_offset_is_moved_into_the_site_zone() -> None:
    text = "---\ndate: 2024-02-19T23:30:00+00:00\n---\nx\n"

    post = parse_post("content/late.md", text, SHANGHAI).post

    assert post.date.isoformat() == "2024-02-20T07:30:00+08:00"
    assert post.url == "/2024/02/20/late/"


def test_toml_front_matter() -> None:
    text = '+++\ntitle = "T"\ndate = 2024-02-19T08:00:00\ntags = ["a"]\n+++\nbody\n'

    post = parse_post("content/x.md", text, ENGLISH).post

    assert (post.title, post.tags, post.date.hour) == ("T", ("a",), 8)


def test_tags_as_a_comma_string_and_unknown_keys_kept_for_templates() -> None:
    text = "---\ndate: 2024-02-19\ntags: AI, 模型 ,AI\nsource_count: 3\n---\nx\n"

    post = parse_post("content/x.md", text, SHANGHAI).post

    assert post.tags == ("AI", "模型")
    assert post.extra == {"source_count": 3}


def test_a_file_without_a_date_is_a_page_at_its_path() -> None:
    text = "---\nmenu: 来源\nweight: 3\n---\n\n# 消息来源\n\n列表。\n"

    page = parse_post("content/pages/来源.md", text, SHANGHAI).post

    assert (page.kind, page.url, page.title) == ("page", "/pages/来源/", "消息来源")
    assert (page.menu, page.weight) == ("来源", 3)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("2024-02-19-山顶咖啡.md", "山顶咖啡"),
        ("2024/239-山顶咖啡.md", "山顶咖啡"),
        ("2024/02-19-OpenAI-DevDay.md", "OpenAI-DevDay"),
        ("2024-02-19-openai.md", ""),
        ("2024/02/19/gpt-4o.md", ""),
        ("2024/02-19.md", ""),
    ],
)
def test_file_name_words_title_a_post_unless_they_are_a_plain_slug(
    relative: str, expected: str
) -> None:
    text = "---\ndate: 2024-02-19\n---\n\n正文。\n"

    post = parse_post(f"content/{relative}", text, SHANGHAI).post

    assert post.title == (expected or "2024年2月19日")


def test_tags_in_a_string_split_on_chinese_commas_too() -> None:
    text = '---\ndate: 2024-02-19\ntags: "AI, 大模型，视频生成、Sora"\n---\nx\n'

    post = parse_post("content/x.md", text, SHANGHAI).post

    assert post.tags == ("AI", "大模型", "视频生成", "Sora")


def test_a_hundred_tags_of_sixty_characters_are_allowed() -> None:
    tags = [f"{i:03d}" + "字" * 57 for i in range(100)]
    text = f"---\ntags: [{', '.join(tags)}]\n---\nx\n"

    assert parse_post("content/2024-02-19.md", text, SHANGHAI).post.tags == tuple(tags)


def test_summary_prefers_more_then_description_then_first_paragraph() -> None:
    base = "---\ndate: 2024-02-19\n{extra}---\n\n![图](a.png)\n\n第一段文字。\n\n第二段。\n"

    plain = parse_post("content/a.md", base.format(extra=""), SHANGHAI).post
    described = parse_post("content/a.md", base.format(extra="description: 简介\n"), SHANGHAI).post
    more = parse_post(
        "content/a.md", base.format(extra="description: 简介\n") + "<!--more-->\n", SHANGHAI
    ).post

    assert plain.summary == "第一段文字。"
    assert described.summary == "简介"
    assert more.summary == "第一段文字。 第二段。"


def test_summary_is_cut_by_cjk_characters_and_words() -> None:
    config = Config(summary_length=5)
    post = parse_post("content/2024-02-19.md", "一二三四五六七 eight\n", config).post

    assert post.summary == "一二三四五…"


def test_cover_falls_back_to_the_first_image_and_is_resolved() -> None:
    text = '<img src="pics/b.png" width="300">\n'

    post = parse_post("content/2024/02-19.md", text, SHANGHAI).post

    assert post.cover == "/2024/pics/b.png"


def test_a_script_url_in_raw_html_is_not_taken_as_the_cover() -> None:
    text = '<img src="javascript:alert(1)">\n\n![b](pics/b.png)\n'

    post = parse_post("content/2024/02-19.md", text, SHANGHAI).post

    assert post.cover == "/2024/pics/b.png"


@pytest.mark.parametrize(
    ("cover", "url"),
    [
        ("https://cdn.example.org/a.png", "https://cdn.example.org/a.png"),
        ("HTTP://cdn.example.org/a.png", "HTTP://cdn.example.org/a.png"),
        ("//cdn.example.org/a.png", "//cdn.example.org/a.png"),
        ("/img/a.png", "/img/a.png"),
        ("pics/a.png", "/2024/pics/a.png"),
        ("pics/a:b.png", "/2024/pics/a:b.png"),
    ],
)
def test_cover_may_be_a_web_url_or_a_path_on_the_site(cover: str, url: str) -> None:
    text = f"---\ncover: '{cover}'\n---\nx\n"

    assert parse_post("content/2024/02-19.md", text, SHANGHAI).post.cover == url


@pytest.mark.parametrize(
    "cover",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\\tscript:alert(1)",
        "\\x01javascript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "vbscript:msgbox",
        "file:///etc/passwd",
    ],
)
def test_cover_with_another_scheme_is_an_error_at_its_line(cover: str) -> None:
    text = f'---\ntitle: t\ncover: "{cover}"\n---\nx\n'

    with pytest.raises(BuildFailed) as failure:
        parse_post("content/2024/02-19.md", text, SHANGHAI)

    [problem] = failure.value.problems
    assert str(problem).startswith(
        "content/2024/02-19.md:3: 'cover' must be an http(s) URL or a path on the site, not "
    )


def test_reading_time_counts_cjk_and_words_apart() -> None:
    text = "字" * 600 + " " + "word " * 200

    post = parse_post("content/2024-02-19.md", text, SHANGHAI).post

    assert (post.cjk_characters, post.words, post.reading_minutes) == (600, 200, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [a\n---\nx\n", "content/x.md:2: invalid front matter:"),
        ("---\ntitle: a\ndate: tomorrow\n---\nx\n", "content/x.md:3: cannot read date 'tomorrow'"),
        ("---\ntitle: a\n", "content/x.md:1: front matter is not closed: add a line '---'"),
        ("---\ntitle: no\n---\nx\n", "content/x.md:2: 'title' must be text, not False"),
        ("---\ntags: [1, b]\n---\nx\n", "content/x.md:2: tag 1 must be text"),
        ("---\n- a\n- b\n---\nx\n", "content/x.md:2: front matter must be 'key: value' lines"),
        ("   \n\n", "content/x.md:1: the file is empty"),
    ],
)
def test_mistakes_carry_file_and_line(text: str, message: str) -> None:
    with pytest.raises((ContentError, BuildFailed)) as failure:
        parse_post("content/x.md", text, ENGLISH)

    error = failure.value
    problems = error.problems if isinstance(error, BuildFailed) else (error,)
    assert any(str(p).startswith(message) for p in problems), [str(p) for p in problems]


FEBRUARY = "(February has 28 days in 2026)"
LONG = "a number with more than 4300 digits; put it in quotes if it is text"
WRONG_FRONT_MATTER = [
    ("---\ndate: 2026-02-30\n---\nx\n", f"x.md:2: invalid date '2026-02-30' {FEBRUARY}"),
    ("---\ndate: 2026-13-01\n---\nx\n", "x.md:2: invalid date '2026-13-01' (there is no month 13)"),
    ("---\ndate: 0000-00-00\n---\nx\n", "x.md:2: invalid date '0000-00-00' (there is no year 0)"),
    (
        "---\ndate: 2026-12-01T25:00:00+08:00\n---\nx\n",
        "x.md:2: invalid date '2026-12-01T25:00:00+08:00' "
        "(there is no hour 25; hours go from 00 to 23)",
    ),
    (
        "---\ndate: 2024-02-19T10:00:00+99:00\n---\nx\n",
        "x.md:2: invalid date '2024-02-19T10:00:00+99:00' "
        "(the offset +99:00 is not between -23:59 and +23:59)",
    ),
    (
        "---\ntitle: t\nupdated: 0001-01-01T00:00:00+14:00\ndate: 2024-02-19\n---\nx\n",
        "x.md:3: invalid date '0001-01-01T00:00:00+14:00' "
        "(in UTC that is before 0001-01-01, the first day there is)",
    ),
    (
        "+++\ndate = 9999-12-31T23:59:59-12:00\n+++\nx\n",
        "x.md:2: invalid date '9999-12-31T23:59:59-12:00' "
        "(in UTC that is after 9999-12-31, the last day there is)",
    ),
    ("+++\ndate = 2026-02-30\n+++\nx\n", f"x.md:2: invalid date '2026-02-30' {FEBRUARY}"),
    (
        "---\ndate: 2024-02-19\ntitle: " + "1" * 4400 + "\n---\nx\n",
        f"x.md:3: invalid front matter: {LONG}",
    ),
    (
        "---\ndate: 2024-02-19\nx: 0x" + "f" * 4000 + "\n---\nx\n",
        f"x.md:3: invalid front matter: {LONG}",
    ),
    (
        "+++\ndate = 2024-02-19\nslug = " + "1" * 4400 + "\n+++\nx\n",
        f"x.md:3: invalid front matter: {LONG}",
    ),
    (
        "+++\ndate = 2024-02-19\nx = " + "[" * 2000 + "]" * 2000 + "\n+++\nx\n",
        "x.md:3: invalid front matter: lists nested more than 100 deep",
    ),
    (
        "---\ndate: 2024-02-19\nx: &a0 [[[[[[[[[[1]]]]]]]]]]\n"
        + "".join(f"x{n}: &a{n + 1} [[[[[[[[[[*a{n}]]]]]]]]]]\n" for n in range(10))
        + "---\nx\n",
        "x.md:13: invalid front matter: lists or tables nested more than 100 deep",
    ),
    (
        "---\ndate: 2024-02-19\na: &x 1\nb: &x 2\n---\nx\n",
        "x.md:4: invalid front matter: found duplicate anchor (give each '&anchor' its own name)",
    ),
    (
        "---\ndate: 2024-02-19\ntitle: !!float x\n---\nx\n",
        "x.md:3: invalid front matter: cannot read 'x' as float",
    ),
    (
        "---\ntitle: 今日要闻: GPT-5 发布\ndate: 2024-02-19\n---\nx\n",
        "x.md:2: invalid front matter: mapping values are not allowed in this context "
        '(quote the value: title: "今日要闻: GPT-5 发布")',
    ),
    (
        '---\ndate: 2024-02-19\ntitle: @OpenAI 说 "好"\n---\nx\n',
        "x.md:3: invalid front matter: found character that cannot start any token "
        '(quote the value: title: "@OpenAI 说 \\"好\\"")',
    ),
    (
        "---\ndate: 2024-02-19\nauthor:\n  name: 记者: 张三\n---\nx\n",
        "x.md:4: invalid front matter: mapping values are not allowed in this context "
        '(quote the value: name: "记者: 张三")',
    ),
    (
        "---\ntitle: a\n\tdate: 2024-02-19\n---\nx\n",
        "x.md:3: invalid front matter: tabs are not allowed in YAML indentation "
        "(indent with spaces)",
    ),
    (
        "+++\ntitle = AI 日报\ndate = 2024-02-19\n+++\nx\n",
        'x.md:2: invalid front matter: Invalid value (quote the text: title = "AI 日报")',
    ),
    (
        '+++\ndate = 2024-02-19\ntitle: "x"\n+++\nx\n',
        "x.md:3: invalid front matter: Expected '=' after a key in a key/value pair "
        "(TOML writes '=' between key and value: title = \"x\")",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), WRONG_FRONT_MATTER)
def test_wrong_front_matter_is_one_located_problem(text: str, message: str) -> None:
    with pytest.raises((ContentError, BuildFailed)) as failure:
        parse_post("content/x.md", text, ENGLISH)

    error = failure.value
    problems = error.problems if isinstance(error, BuildFailed) else (error,)
    assert [str(p) for p in problems] == [f"content/{message}"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "content/2026/02-30.md",
            "content/2026/02-30.md: the date in the file name, 2026-02-30, is not a real day "
            "(February has 28 days in 2026)",
        ),
        (
            "content/2024-04-31-trip.md",
            "content/2024-04-31-trip.md: the date in the file name, 2024-04-31, is not a real "
            "day (April has 30 days)",
        ),
        (
            "content/0001-01-01.md",
            "content/0001-01-01.md: the date in the file name, 0001-01-01, cannot be used "
            "(in UTC that is before 0001-01-01, the first day there is)",
        ),
    ],
)
def test_a_date_in_the_file_name_that_cannot_be_used_is_named(source: str, message: str) -> None:
    with pytest.raises(BuildFailed) as failure:
        parse_post(source, "x\n", SHANGHAI)

    assert [str(p) for p in failure.value.problems] == [message]


def test_a_front_matter_date_wins_over_a_file_name_that_is_no_day() -> None:
    post = parse_post("content/2026-02-30-x.md", "---\ndate: 2026-03-01\n---\nx\n", ENGLISH)

    assert post.post.date.date().isoformat() == "2026-03-01"


def test_keys_close_to_known_ones_are_warnings_and_others_stay_quiet() -> None:
    text = (
        "---\ndate: 2024-02-19\ntag: [AI]\ntitel: x\ndata: y\nTags: z\n"
        "cover_alt: 图\nsource: 新华社\nlanguage: zh\n1: one\n---\nx\n"
    )

    parsed = parse_post("content/x.md", text, ENGLISH)

    assert [str(w) for w in parsed.warnings] == [
        "content/x.md:3: unknown key 'tag' (did you mean 'tags'?)",
        "content/x.md:4: unknown key 'titel' (did you mean 'title'?)",
        "content/x.md:5: unknown key 'data' (did you mean 'date'?)",
        "content/x.md:6: unknown key 'Tags' (did you mean 'tags'?)",
    ]
    assert parsed.post.tags == ()
    assert parsed.post.extra["tag"] == ["AI"]
    assert parsed.post.extra["cover_alt"] == "图"


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        (".post.md.swp", True),
        ("post.md~", True),
        (".#post.md", True),
        ("4913", True),
        ("post.md___jb_tmp___", True),
        ("post.md", False),
        ("2024-02-19.md", False),
    ],
)
def test_editor_droppings_are_ignored(name: str, ignored: bool) -> None:
    assert is_ignored(name) is ignored


def test_items_are_the_shallowest_of_the_h2_and_h3_headings() -> None:
    text = "## 1、甲\n\n### 细节\n\n## 2、乙\n\n#### 注\n"

    post = parse_post("content/2024-02-19.md", text, SHANGHAI).post

    assert [item.title for item in post.items] == ["1、甲", "2、乙"]
    only_h3 = parse_post("content/2024-02-19.md", "### 甲\n\n### 乙\n", SHANGHAI).post
    assert [item.level for item in only_h3.items] == [3, 3]
    assert parse_post("content/2024-02-19.md", "#### 注\n\n正文。\n", SHANGHAI).post.items == ()


def test_a_body_edit_below_the_items_keeps_the_card_a_heading_edit_does_not() -> None:
    def card(body: str) -> str:
        return parse_post("content/2024-02-19.md", f"导语。\n\n{body}", SHANGHAI).post.card

    first = card("## 1、甲\n\n正文。\n")

    assert card("## 1、甲\n\n改过的正文。\n") == first
    assert card("## 1、丙\n\n正文。\n") != first


def test_only_a_front_matter_cover_is_not_in_the_body() -> None:
    named = parse_post("content/2024/02-19.md", "---\ncover: a.png\n---\n\n![x](b.png)\n", SHANGHAI)
    found = parse_post("content/2024/02-19.md", "![x](b.png)\n", SHANGHAI)

    assert (named.post.cover, named.post.cover_in_body) == ("/2024/a.png", False)
    assert (found.post.cover, found.post.cover_in_body) == ("/2024/b.png", True)
