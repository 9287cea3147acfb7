"""What ``render`` returns besides the HTML: toc, summary, cover, counts and warnings.

Bodies are rendered as posts in content/2024/ of a site published under
https://example.org/news/, as in test_fixtures.py:
``LinkContext(folder="2024", base_path="/news/", site_host="example.org")``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common import normalize_url
from markdown_it.helpers import parseLinkDestination
from markdown_it.rules_core.linkify import linkify as markdown_it_linkify

from digest.markdown import (
    LinkContext,
    MarkdownWarning,
    Rendered,
    _Env,
    _markdown,
    render,
    rewrite_raw_html,
)
from digest.model import Heading

CONTEXT = LinkContext(folder="2024", base_path="/news/", site_host="example.org")


def _render(body: str, first_line: int = 1) -> Rendered:
    return render(body, CONTEXT, first_line=first_line)


# ---- table of contents ------------------------------------------------------


def test_toc_lists_headings_in_order_with_level_id_and_plain_title() -> None:
    body = (
        "## 1.谷歌推出了 Gemini 1.5 Pro\n\n正文。\n\n"
        "### 模型 *Sora* 与 `diffusion`\n\n"
        "## 新闻\n\n## 新闻\n"
    )
    assert _render(body).toc == (
        Heading(level=2, id="1谷歌推出了-gemini-15-pro", title="1.谷歌推出了 Gemini 1.5 Pro"),
        Heading(level=3, id="模型-sora-与-diffusion", title="模型 Sora 与 diffusion"),
        Heading(level=2, id="新闻", title="新闻"),
        Heading(level=2, id="新闻-1", title="新闻"),
    )


def test_toc_ids_are_the_ids_in_the_html() -> None:
    rendered = _render("# 本周要闻\n\n## OpenAI 发布 GPT-4o（免费）\n")
    for heading in rendered.toc:
        assert f'id="{heading.id}"' in rendered.html


def test_toc_is_empty_without_headings() -> None:
    assert _render("只有一段文字。\n").toc == ()


# ---- summary and <!--more--> ------------------------------------------------


def test_summary_is_the_text_before_a_more_block() -> None:
    body = "导语第一段。\n\n导语 **第二段**。\n\n<!--more-->\n\n正文不在摘要里。\n"
    rendered = _render(body)
    assert rendered.summary_text == "导语第一段。 导语 第二段。"
    assert rendered.has_more


def test_summary_is_the_text_before_a_more_marker_inside_a_paragraph() -> None:
    rendered = _render("这是导语，含 [链接](https://example.com/a)。<!--more-->这是正文。\n")
    assert rendered.summary_text == "这是导语，含 链接。"
    assert rendered.has_more


def test_summary_before_more_leaves_out_headings() -> None:
    rendered = _render("# 本周要闻\n\n导语。\n\n<!--more-->\n\n正文。\n")
    assert rendered.summary_text == "导语。"


def test_summary_without_more_is_the_first_paragraph_with_text() -> None:
    body = (
        "![封面](images/cover.png)\n\n"
        '<div class="note">原始 HTML 块不是摘要</div>\n\n'
        "第一段 **有文字**，含 `code` 和 [链接](https://example.com/x)。\n\n"
        "第二段。\n"
    )
    rendered = _render(body)
    assert rendered.summary_text == "第一段 有文字，含 code 和 链接。"
    assert not rendered.has_more


def test_summary_joins_chinese_lines_without_a_space_and_other_breaks_with_one() -> None:
    rendered = _render("第一行\n第二行  \n第三行\nand English\nwords\n")
    assert rendered.summary_text == "第一行第二行 第三行 and English words"


def test_a_plain_html_comment_is_not_a_more_marker() -> None:
    rendered = _render("第一段。\n\n<!-- 编辑备注 -->\n\n第二段。\n")
    assert rendered.summary_text == "第一段。"
    assert not rendered.has_more


def test_summary_is_empty_when_no_paragraph_has_text() -> None:
    rendered = _render("![只有图](images/a.png)\n\n<video src='clips/a.mp4'></video>\n")
    assert rendered.summary_text == ""
    assert not rendered.has_more


# ---- cover ------------------------------------------------------------------


def test_cover_is_the_first_markdown_image_as_a_site_url() -> None:
    assert _render("正文。\n\n![图一](images/one.png)\n\n![图二](images/two.png)\n").cover == (
        "/news/2024/images/one.png"
    )


def test_cover_keeps_an_absolute_image_url() -> None:
    body = "![图](https://cdn.example.com/a.jpg?w=800)\n"
    assert _render(body).cover == "https://cdn.example.com/a.jpg?w=800"


def test_cover_can_be_a_raw_img_that_comes_first() -> None:
    body = "<img width=300 src='images/raw.png'>\n\n![后面](images/later.png)\n"
    assert _render(body).cover == "/news/2024/images/raw.png"


def test_cover_can_be_a_raw_img_inside_a_paragraph() -> None:
    body = '文字 <img src="images/inline.png"> 文字\n\n![后面](images/later.png)\n'
    assert _render(body).cover == "/news/2024/images/inline.png"


def test_cover_can_be_the_img_of_a_picture_element() -> None:
    body = (
        "<picture>\n"
        '<source srcset="images/wide.webp" type="image/webp">\n'
        '<img src="images/wide.jpg" alt="宽图">\n'
        "</picture>\n"
    )
    assert _render(body).cover == "/news/2024/images/wide.jpg"


def test_cover_skips_videos() -> None:
    body = (
        '<video src="clips/a.mp4" poster="clips/poster.jpg" controls></video>\n\n'
        "![视频](clips/b.mp4)\n\n"
        "![大写扩展名](clips/c.MOV)\n\n"
        "![图](images/after-videos.png)\n"
    )
    assert _render(body).cover == "/news/2024/images/after-videos.png"


def test_cover_skips_a_video_with_a_query_string() -> None:
    body = "![视频](clips/a.mp4?t=5)\n\n![图](images/b.png)\n"
    assert _render(body).cover == "/news/2024/images/b.png"


def test_cover_ignores_an_img_inside_an_html_comment() -> None:
    body = '<!-- 旧封面 <img src="images/old.png"> -->\n\n![图](images/new.png)\n'
    assert _render(body).cover == "/news/2024/images/new.png"


def test_no_cover_without_images() -> None:
    assert _render("只有文字。\n\n<video src='clips/a.mp4'></video>\n").cover is None


# ---- counts -----------------------------------------------------------------


def test_counts_cjk_characters_and_latin_words_apart() -> None:
    rendered = _render("GPT-4o 是 OpenAI 发布的新模型，支持 128k 上下文。It's fast.\n")
    assert (rendered.cjk_characters, rendered.words) == (12, 5)


def test_counts_include_headings_and_list_items() -> None:
    rendered = _render("## 标题\n\n- 列表项 one\n- two\n\n> 引用\n")
    assert (rendered.cjk_characters, rendered.words) == (7, 2)


def test_counts_leave_out_markup_urls_of_links_and_alt_text() -> None:
    rendered = _render("[链接](https://example.com/very/long/path) ![图片说明](images/a.png)\n")
    assert (rendered.cjk_characters, rendered.words) == (2, 0)


# ---- warnings ---------------------------------------------------------------


def test_unknown_code_language_warns_with_the_line_in_the_file() -> None:
    # The body starts on line 5 of the file (after four lines of front matter).
    body = (
        "第一行\n"  # file line 5
        "\n"
        "```nosuchlang\n"  # file line 7
        "x\n"
        "```\n"
        "\n"
        "```python\n"
        "print(1)\n"
        "```\n"
        "\n"
        "```alsounknown\n"  # file line 15
        "y\n"
        "```\n"
    )
    assert _render(body, first_line=5).warnings == (
        MarkdownWarning(
            7, "unknown code language 'nosuchlang', shown as plain text", "unknown-language"
        ),
        MarkdownWarning(
            15, "unknown code language 'alsounknown', shown as plain text", "unknown-language"
        ),
    )


def test_warning_on_the_first_body_line_points_at_first_line() -> None:
    (warning,) = _render("```zzz\nq\n```\n", first_line=9).warnings
    assert warning.line == 9


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("> 引用\n>\n> ```bad\n> y\n> ```\n", 3),
        ("- 列表项\n\n  ```bad\n  y\n  ```\n", 3),
    ],
    ids=["in a blockquote", "in a list item"],
)
def test_warning_line_of_a_nested_fence(body: str, line: int) -> None:
    (warning,) = _render(body, first_line=1).warnings
    assert warning.line == line


def test_no_warnings_for_known_languages_and_plain_code() -> None:
    body = "```python\nx = 1\n```\n\n```\n无语言\n```\n\n    缩进代码\n\n~~~JS\nlet a;\n~~~\n"
    assert _render(body).warnings == ()


# ---- raw HTML ---------------------------------------------------------------


def test_raw_srcset_rewrites_each_relative_candidate_and_keeps_descriptors() -> None:
    fragment = (
        '<img srcset="images/a-1x.png 1x, images/a-2x.png 2x, '
        'https://cdn.example.com/a-3x.png 3x" src="images/a-1x.png" alt="">'
    )
    assert rewrite_raw_html(fragment, CONTEXT) == (
        '<img srcset="/news/2024/images/a-1x.png 1x, /news/2024/images/a-2x.png 2x, '
        'https://cdn.example.com/a-3x.png 3x" src="/news/2024/images/a-1x.png" alt="" '
        'loading="lazy" decoding="async">'
    )


def test_raw_single_quoted_srcset_with_width_descriptors() -> None:
    fragment = "<source srcset='images/w.webp 800w,images/n.webp 400w' type='image/webp'>"
    assert rewrite_raw_html(fragment, CONTEXT) == (
        '<source srcset="/news/2024/images/w.webp 800w, /news/2024/images/n.webp 400w"'
        " type='image/webp'>"
    )


def test_raw_single_quoted_poster_and_src_are_rewritten() -> None:
    fragment = "<video poster='clips/poster.jpg' src='clips/v.mp4' controls></video>"
    assert rewrite_raw_html(fragment, CONTEXT) == (
        '<video poster="/news/2024/clips/poster.jpg" src="/news/2024/clips/v.mp4" controls></video>'
    )


@pytest.mark.parametrize(
    "fragment",
    [
        '<a href="#top">回到开头</a>',
        '<a href="https://example.com/x">外部</a>',
        '<a href="/tags/ai/">站内绝对路径</a>',
        '<a href="mailto:editor@example.com">写信</a>',
        "<p>没有属性</p>",
    ],
)
def test_raw_html_without_relative_references_is_unchanged(fragment: str) -> None:
    assert rewrite_raw_html(fragment, CONTEXT) == fragment


def test_raw_attribute_names_in_any_case_and_cjk_paths_are_encoded() -> None:
    assert rewrite_raw_html('<a HREF="附件/纪要.pdf">纪要</a>', CONTEXT) == (
        '<a HREF="/news/2024/%E9%99%84%E4%BB%B6/%E7%BA%AA%E8%A6%81.pdf">纪要</a>'
    )


def test_raw_img_that_set_its_own_loading_and_decoding_is_left_as_is() -> None:
    fragment = '<img src="https://cdn.example.com/a.png" loading="eager" decoding="sync">'
    assert rewrite_raw_html(fragment, CONTEXT) == fragment


# ---- URL normalising -------------------------------------------------------

_PLAIN_CHARS = "abcXYZ019;/?:&=+$,-_.!~*'()#"
_URL_CHARS = _PLAIN_CHARS + "@%[] 中é"


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(["", "https://", "http://Www.Ex-a.COM", "http://a.b:80", "/", "//", "mailto:"]),
    st.text(_PLAIN_CHARS, max_size=30) | st.text(_URL_CHARS, max_size=30),
)
def test_links_are_normalised_exactly_as_markdown_it_does(prefix: str, rest: str) -> None:
    """digest skips markdown-it's URL normalising for plain URLs; the result is the same."""
    url = prefix + rest
    md = _markdown()
    assert md.normalizeLink(url) == normalize_url.normalizeLink(url)
    assert md.normalizeLinkText(url) == normalize_url.normalizeLinkText(url)


_DESTINATION_CHARS = "ab/:.?=&#;%中é()<>\\ \t\n\x00\x7f)*_[]\"'"


@settings(max_examples=5000, deadline=None)
@given(
    st.text(_DESTINATION_CHARS, max_size=40) | st.text(max_size=40),
    st.integers(0, 45),
    st.integers(0, 45),
)
def test_link_destinations_are_read_exactly_as_markdown_it_does(
    text: str, start: int, length: int
) -> None:
    """digest reads plain destinations its own quick way; the result is markdown-it's."""
    start = min(start, len(text))
    end = min(start + length, len(text))
    ours = _markdown().helpers.parseLinkDestination(text, start, end)
    theirs = parseLinkDestination(text, start, end)
    assert (ours.ok, ours.pos if ours.ok else None, ours.str) == (
        theirs.ok,
        theirs.pos if theirs.ok else None,
        theirs.str,
    )


def test_summary_leaves_out_bare_urls_but_keeps_link_text() -> None:
    rendered = _render(
        "项目地址：https://github.com/example/bot，欢迎试用 [文档](https://a.org/doc)。\n"
    )
    assert rendered.summary_text == "项目地址，欢迎试用 文档。"
    assert "https://github.com/example/bot" in rendered.html


def test_a_raw_tag_with_a_missing_quote_is_a_warning_on_its_line() -> None:
    rendered = _render('第一行\n<img src="a.svg width="800" />\n')
    assert "&lt;img" in rendered.html
    assert [(w.line, w.message) for w in rendered.warnings] == [
        (2, "raw HTML tag is not closed or its quotes do not match")
    ]


@pytest.mark.parametrize(
    "body", ["\\<img src=x> 是写出来的标签", "&lt;img src=x&gt;", '`<img src="x>`', "a < b"]
)
def test_tags_escaped_on_purpose_are_no_warning(body: str) -> None:
    assert _render(body).warnings == ()


# ---- bare URLs at scale -------------------------------------------------------

_PIECES = [
    "[x](http://a.org/p)", '<a href="q">', "</a>", "http\\://a.org", "mailto:a@b.org",
    "MAILTO:c@d.org", "a@b.org", "www.x.com", "https://y.org/中", "example.com", "main.py",
    "中文", "：", "，", " ", "\n", "*", "`", "/", "x", "http://", "ftp://f.org/x", "<b>",
    "\\", "&amp;", "![i](p.png)", "https://a.org/x)", "(", ")", "http://1.2.3.4/",
    # Around the cheap test that skips text with no sign of a link:
    "WWW.", "Example.IO/x", ".COM", "a.company", "x.cn", "//cdn.a.org/j", "．com", "@",
    "\u212a", "。", "b.info",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_our_linkify_rule_makes_the_links_markdown_its_rule_makes(body: str) -> None:
    stock = _markdown.__wrapped__()
    stock.core.ruler.at("linkify", markdown_it_linkify)

    def html(md: MarkdownIt) -> str:
        env = {"digest": _Env(links=CONTEXT, first_line=1)}
        return str(md.renderer.render(md.parse(body, env), md.options, env))

    assert html(_markdown()) == html(stock)


_MANY_URLS = """
import sys
from digest.markdown import LinkContext, render
line, count = sys.argv[1], int(sys.argv[2])
body = "\\n".join(line.format(i=i) for i in range(count)) + "\\n"
print(render(body, LinkContext()).html.count('<a href="'))
"""


@pytest.mark.parametrize(
    ("line", "count"),
    [
        ("项目地址：https://a.org/x{i}，欢迎", 20_000),
        ("见https://a.org/文档/x{i}/中文", 20_000),
        # Bare hosts are found after parsing, by another rule: it took 9 s for 20,000.
        ("项目地址：www.a.org/x{i}，欢迎", 80_000),
    ],
)
def test_many_bare_urls_in_one_paragraph_finish(line: str, count: int) -> None:
    # Not a speed assertion: with work growing as the square of the URLs this would take
    # many minutes; a minute is many times what linear work needs on a slow machine.
    done = subprocess.run(
        [sys.executable, "-c", _MANY_URLS, line, str(count)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == str(count)
