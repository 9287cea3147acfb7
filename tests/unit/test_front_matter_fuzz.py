"""Any front matter at all: reading a post gives a post or located problems, nothing else.

Dates that are no moment, numbers too long for Python, lists nested deeper than anything
can print, and random YAML scalars, in YAML and TOML front matter alike.
"""

from __future__ import annotations

import json
import pickle

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import Config
from digest.content import KNOWN_KEYS, decode_post
from digest.errors import BuildFailed, DigestError

SOURCE = "content/notes/x.md"
# +14:00 and -12:00 (Etc/GMT+12): the zones that move the first and last days out of range.
CONFIGS = [
    Config(),
    Config(timezone="Pacific/Kiritimati", language="zh-CN"),
    Config(timezone="Etc/GMT+12"),
]

keys = st.one_of(st.sampled_from(sorted(KNOWN_KEYS)), st.sampled_from(["tag", "titel", "x"]))


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


# Written like a date, though often no moment: year 0, month 13, hour 25, offset +99:00.
date_texts = st.builds(
    lambda y, m, d, time, zone: f"{y:04d}-{m}-{d}{time}{zone}",
    st.sampled_from([0, 1, 2024, 2026, 9999]),
    _two(0, 13),
    _two(0, 32),
    st.one_of(
        st.just(""),
        st.builds(lambda h, mi, s: f"T{h}:{mi}:{s}", _two(0, 25), _two(0, 60), _two(0, 60)),
    ),
    st.one_of(
        st.just(""),
        st.just("Z"),
        st.builds(
            lambda sign, h, mi: f"{sign}{h}:{mi}", st.sampled_from("+-"), _two(0, 99), _two(0, 60)
        ),
    ),
)
long_numbers = st.builds(
    lambda digits, hexadecimal: f"0x{'f' * digits}" if hexadecimal else "7" * digits,
    st.sampled_from([4200, 4300, 4301, 5000]),
    st.booleans(),
)
nested = st.integers(1, 2500).map(lambda depth: "[" * depth + "]" * depth)
yaml_scalars = st.sampled_from(
    [
        "", "~", "yes", "no", ".nan", "-.inf", "1e400", "0o777", "0b101", "1_000", "@at",
        "`tick`", "*alias", "&anchor x", "!!binary AAA", "!!int x", "!!timestamp x",
        "!!python/tuple [1]", "[a, b", "{a: 1", '"unclosed', "a: b: c", "- item",
        "&a [*a]", "|\n  block", "? complex", "!!set {a, b}", "!!omap [a: 1]",
        "2026-02-30 10:00:00", "9999-12-31 23:59:59 -12:00",
    ]
)  # fmt: skip
raw_values = st.one_of(
    date_texts,
    long_numbers,
    nested,
    yaml_scalars,
    st.text(max_size=20),
    st.text(":[]{}!&*#|>-'\"\t @`%,?.+_0123456789xeT ", max_size=16),
    st.text(max_size=20).map(lambda text: json.dumps(text, ensure_ascii=False)),
    st.integers().map(str),
    st.lists(st.text("ab 模,:", max_size=4), max_size=3).map(json.dumps),
)
pairs = st.lists(st.tuples(keys, raw_values), min_size=1, max_size=4)


def _yaml(items: list[tuple[str, str]]) -> str:
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in items) + "---\n\nx\n"


def _toml(items: list[tuple[str, str]]) -> str:
    return "+++\n" + "".join(f"{key} = {value}\n" for key, value in items) + "+++\n\nx\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs, st.booleans(), st.sampled_from(CONFIGS))
def test_front_matter_gives_a_post_or_located_problems(
    items: list[tuple[str, str]], toml: bool, config: Config
) -> None:
    text = _toml(items) if toml else _yaml(items)
    lines = text.count("\n") + 1
    try:
        parsed = decode_post(SOURCE, text.encode(), config)
    except BuildFailed as failure:
        problems: tuple[DigestError, ...] = failure.problems
    except DigestError as error:
        problems = (error,)
    else:
        pickle.dumps(parsed)  # what the cache and worker processes do with it
        repr(parsed.post.extra)
        return
    assert problems
    for problem in problems:
        assert problem.path == SOURCE
        assert problem.line is not None
        assert 1 <= problem.line <= lines, str(problem)
        assert str(problem).startswith(f"{SOURCE}:{problem.line}: ")
