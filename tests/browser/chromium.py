"""How the browser tests and benchmarks/latency.py start Debian's Chromium.

Playwright cannot download its own browser here, so both drive /usr/bin/chromium with
these flags (no sandbox in containers, nothing fetched in the background).
"""

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
