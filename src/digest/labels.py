"""The theme's words in each language it speaks, and a site's own words over them.

Config checks ``[labels]`` names against these; templates see the merged result as
``labels``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "archive": "Archive",
        "tags": "Tags",
        "skip": "Skip to content",
        "newer": "Newer",
        "older": "Older",
        "previous_post": "Previous digest",
        "next_post": "Next digest",
        "page_of": "Page {number} of {total}",
        "minutes": "min read",
        "contents": "Contents",
        "same_day": "More from this day",
        "posts": "posts",
        "not_found": "Page not found",
        "not_found_text": "There is no page at this address. Try the archive or the home page.",
        "tagged": "Tagged",
        "pagination": "Pagination",
        "up": "Up",
        "earlier": "Earlier",
        "later": "Later",
        "main_nav": "Main",
        "draft": "Draft",
        "subscribe": "Subscribe",
        "feeds": "Feeds",
        "feeds_intro": (
            "Follow this site in a feed reader: copy one of these addresses into it,"
            " and each new digest arrives there by itself."
        ),
        "rss_text": "RSS 2.0, read by almost every feed reader.",
        "atom_text": "Atom, the same posts in a stricter format.",
        "json_text": "JSON Feed, for apps and scripts.",
        "tag_feed": "Feed of this tag (RSS)",
        "tag_feeds_text": "Every tag has its own RSS feed too, linked from the tag's page.",
        "years": "Years",
        "cover": "Cover image",
        "search": "Search",
        "search_label": "Search the site",
        "search_no_js": (
            "Search needs JavaScript, which is off in this browser."
            " Every post is listed in the archive."
        ),
        "search_stale": "The search index is being updated; results may miss the latest edits.",
        "search_found": "{count} found",
        "search_none": "No results.",
    },
    "zh": {
        "home": "首页",
        "archive": "归档",
        "tags": "标签",
        "skip": "跳到正文",
        "newer": "较新",
        "older": "较早",
        "previous_post": "上一期",
        "next_post": "下一期",
        "page_of": "第 {number} 页，共 {total} 页",
        "minutes": "分钟读完",
        "contents": "目录",
        "same_day": "同一天的其他内容",
        "posts": "篇",
        "not_found": "找不到这个页面",
        "not_found_text": "这个地址没有页面。可以去归档或首页看看。",
        "tagged": "标签",
        "pagination": "分页",
        "up": "上一级",
        "earlier": "更早",
        "later": "更晚",
        "main_nav": "主导航",
        "draft": "草稿",
        "subscribe": "订阅",
        "feeds": "订阅源",
        "feeds_intro": (
            "用 RSS 阅读器关注本站：把下面任意一个地址复制到阅读器里，每期新内容都会自动送到。"
        ),
        "rss_text": "RSS 2.0，几乎所有阅读器都支持。",
        "atom_text": "Atom，内容相同，格式更严格。",
        "json_text": "JSON Feed，方便应用和脚本读取。",
        "tag_feed": "订阅这个标签（RSS）",
        "tag_feeds_text": "每个标签也有自己的 RSS 订阅源，链接在标签页上。",
        "years": "年份",
        "cover": "封面图",
        "search": "搜索",
        "search_label": "搜索本站",
        "search_no_js": "搜索需要 JavaScript，而这个浏览器关闭了它。所有文章都列在归档里。",
        "search_stale": "搜索索引正在更新，结果可能还没有最新的修改。",
        "search_found": "找到 {count} 条结果",
        "search_none": "没有找到结果。",
    },
}


LABEL_NAMES = frozenset(LABELS["en"])


class Labels(dict[str, str]):
    """The theme's words by name, as ``labels["home"]`` and as ``labels.home``.

    Each word is an attribute too: for ``labels.home`` Jinja first asks for an attribute,
    and on a plain dict that fails with an exception before the key is looked up, half
    a microsecond for each of the 15 words a page shows (about 4 % of rendering a page).
    No label is named like a dict method.
    """

    def __init__(self, words: Mapping[str, str]) -> None:
        super().__init__(words)
        self.__dict__.update(words)


def labels_for(language: str, own: Iterable[tuple[str, str]] = ()) -> Labels:
    """The theme's words in the site language (English for languages we lack), with the
    site's own words (``[labels]`` in the config) in their place."""
    return Labels(LABELS.get(language.lower().split("-")[0], LABELS["en"]) | dict(own))
