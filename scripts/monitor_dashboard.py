#!/usr/bin/env python3
"""The scaling guide's ``python3 scripts/monitor_dashboard.py``: a thin wrapper over ``autopilot dashboard``.

A live view refreshed every few seconds; arguments are passed through, e.g. ``--once``, ``--interval 2`` or
``--aws`` (your account instead of the embedded AWS).
"""

from __future__ import annotations

import sys

from autopilot_cli.main import app

if __name__ == "__main__":
    sys.exit(app(["dashboard", *sys.argv[1:]]))
