"""Parse each state machine definition once per process in the embedded Step Functions.

moto's Step Functions parses the definition with its ANTLR grammar on CreateStateMachine (to validate it) and again
on every StartExecution: about 0.6 s of CPU for the remediation workflow each time, most of a simulated incident's
cost. The parsed program is a tree of evaluation components; some keep per-execution state (a retrier's attempt
count), so an execution never shares one: it gets a copy of the first parse, which is what a fresh parse of the same
text gives. The copy is unpickled from the pickled first parse (4 ms for the remediation workflow, against 24 ms for
``copy.deepcopy`` of it; both copy through the same reduce protocol); a program that cannot be pickled is
deep-copied. A definition that fails to parse is not remembered: it fails again, the same way, every time.

The same goes for the JSONPath expressions of the states (``InputPath``, ``ResultPath``, ``$.x`` parameters):
moto's interpreter hands each one to ``jsonpath_ng``, which builds a new PLY parser for every expression it parses,
on every state of every execution. A parsed expression is immutable (finding and updating do not change it), so one
parse per distinct text is shared.
"""

from __future__ import annotations

import copy
import functools
import pickle
import threading
from typing import Any

from jsonpath_ng.ext.parser import parse as parse_extended
from jsonpath_ng.parser import parse as parse_plain
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import json_path

# definition → (the program pickled, or the program itself when it cannot be pickled; ANTLR's tree)
_parsed: dict[str, tuple[bytes | Any, Any]] = {}
_lock = threading.Lock()
_original = AmazonStateLanguageParser.parse


def _kept(program: Any) -> bytes | Any:
    try:
        return pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return program


def _parse_once(definition: str) -> tuple[Any, Any]:
    with _lock:
        known = _parsed.get(definition)
    if known is None:
        program, tree = _original(definition)
        known = (_kept(program), tree)
        with _lock:
            _parsed.setdefault(definition, known)
    kept, tree = known
    return (pickle.loads(kept) if isinstance(kept, bytes) else copy.deepcopy(kept)), tree


# One cache per parser: the extended grammar (filters, arithmetic) of json_path, the plain one of ResultPath.
_parse_path = functools.lru_cache(maxsize=1024)(parse_extended)
_parse_result_path = functools.lru_cache(maxsize=1024)(parse_plain)
# The modules' own name for the parser they call (moto imports it by name, so that name is what is replaced).
_PARSERS = ((json_path, _parse_path), (result_path, _parse_result_path))


def share_parsed_definitions() -> None:
    """Install the caches (idempotent; for the whole process)."""
    AmazonStateLanguageParser.parse = staticmethod(_parse_once)  # type: ignore[method-assign,assignment]
    for module, cached in _PARSERS:
        module.parse = cached  # type: ignore[attr-defined]


def parses_once() -> bool:
    return (
        AmazonStateLanguageParser.parse is _parse_once  # type: ignore[comparison-overlap]
        and all(vars(module)["parse"] is cached for module, cached in _PARSERS)
    )
