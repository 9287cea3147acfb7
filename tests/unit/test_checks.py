"""Element ids: what a #fragment link may point at."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.checks import element_ids


def test_ids_are_found_in_either_quotes_after_any_space() -> None:
    page = (
        '<h2 id="1、模型">a</h2>\n<p\tid = \'note\'>b</p><section\nid="same-day">'
        '<div data-id="not-one"></div><a href="#x" title="paid = 1">'
        '<img alt="valid"id="glued">'
    ).encode()
    assert element_ids(page) == {"1、模型", "note", "same-day"}


def test_an_id_inside_the_value_of_a_name_ending_in_id_is_still_found() -> None:
    assert element_ids(b'<p xid=" id="y">') == {"y"}


_SPACED_ID = re.compile(rb"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PIECES = [b" ", b"\t", b"\n", b"\x0b", b"\x1c", b"id", b"=", b'"', b"'", b"x", "中".encode()]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map(b"".join))
def test_the_ids_are_those_of_the_plain_pattern(page: bytes) -> None:
    plain = {(first or second).decode() for first, second in _SPACED_ID.findall(page)}
    assert element_ids(page) == plain
