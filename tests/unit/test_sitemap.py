"""Machine-readable outputs on their own: the sitemap, whatever its URLs hold (each is
the page's permalink, ``absolute``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from digest.config import Config
from digest.feeds import SITEMAP_NS, absolute, sitemap

CONFIG = Config(base_url="https://example.org/news/")
_SEGMENT = st.text(st.sampled_from("ab字&<>\"'; %\x01"), min_size=1, max_size=6)
_MOMENT = st.datetimes(
    min_value=datetime(2000, 1, 1), timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))])
)


@given(st.dictionaries(_SEGMENT.map(lambda name: f"/{name}/"), st.none() | _MOMENT, max_size=5))
def test_the_sitemap_is_xml_naming_each_page_and_its_date_in_url_order(
    pages: dict[str, datetime | None],
) -> None:
    root = ET.fromstring(sitemap(CONFIG, list(pages.items())))

    urls = root.findall(f"{{{SITEMAP_NS}}}url")
    assert [url.findtext(f"{{{SITEMAP_NS}}}loc") for url in urls] == [
        absolute(CONFIG, path) for path in sorted(pages)
    ]
    assert [url.findtext(f"{{{SITEMAP_NS}}}lastmod") for url in urls] == [
        None if pages[path] is None else pages[path].isoformat()  # type: ignore[union-attr]
        for path in sorted(pages)
    ]
