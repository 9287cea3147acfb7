"""Where the built-in theme lives: inside the installed package, or at the repo root.

A wheel carries the theme as ``digest/theme/``; a source checkout (editable install,
tests) uses the repo's own ``templates/`` and ``static/``, so the demo site and the
shipped theme are one set of files.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "theme"
_CHECKOUT = Path(__file__).resolve().parents[2]


def theme_root() -> Path:
    """The folder that holds the theme's ``templates/`` and ``static/``."""
    if (_PACKAGED / "templates").is_dir():
        return _PACKAGED
    return _CHECKOUT
