"""Parse each state machine definition once per process in the embedded Step Functions.

moto's Step Functions parses the definition with its ANTLR grammar on CreateStateMachine (to validate it) and again
on every StartExecution: about 0.6 s of CPU for the remediation workflow each time, most of a simulated incident's
cost. The parsed program is a tree of evaluation components; some keep per-execution state (a retrier's attempt
count), so an execution never shares one: it gets a deep copy of the first parse (about 30 ms), which is what a
fresh parse of the same text gives. A definition that fails to parse is not remembered: it fails again, the same
way, every time.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

_parsed: dict[str, tuple[Any, Any]] = {}
_lock = threading.Lock()
_original = AmazonStateLanguageParser.parse


def _parse_once(definition: str) -> tuple[Any, Any]:
    with _lock:
        known = _parsed.get(definition)
    if known is None:
        known = _original(definition)
        with _lock:
            _parsed.setdefault(definition, known)
    program, tree = known
    return copy.deepcopy(program), tree


def share_parsed_definitions() -> None:
    """Install the cache (idempotent; for the whole process)."""
    AmazonStateLanguageParser.parse = staticmethod(_parse_once)  # type: ignore[method-assign,assignment]


def parses_once() -> bool:
    return AmazonStateLanguageParser.parse is _parse_once  # type: ignore[comparison-overlap]
