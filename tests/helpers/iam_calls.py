"""Record every AWS call a Lambda handler makes while the tests run, tagged with the function that made it.

A botocore hook (``before-parameter-build`` keeps the API parameters, ``before-call`` records the call once it
is about to be sent) is added to botocore's built-in handlers, so every session and client created afterwards
carries it, whatever code creates them. A call is attributed to a function when one of the template's handler
modules (``Handler`` of an ``AWS::Serverless::Function``) is on the Python stack: the outermost one, which is the
entry point Lambda would have invoked. Calls made by the tests themselves (setting up moto, reading state back)
have no handler on the stack and are not recorded.

The IAM test (``tests/template/test_iam_grants.py``) checks the recording against each function's policy.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
import threading
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import botocore.handlers
from autopilot_cli.template_model import function_handler, function_ids, load_template

IAM_PREFIXES = {"monitoring": "cloudwatch"}  # botocore signing name → IAM service prefix, where they differ
RECORD_FILE_ENV = "IAM_CALLS_FILE"  # set by the IAM test when it runs the suites itself: where to write them
REPLAY_FILE_ENV = "IAM_CALLS_REPLAY"  # a recording to check instead of running the suites (while editing policies)


@dataclass(frozen=True)
class Call:
    """One AWS call: who made it (function logical ID), what (service, operation, parameters), from which test."""

    function: str
    service: str  # the IAM service prefix (botocore's signing name), e.g. "application-autoscaling", "s3"
    operation: str  # the API operation, e.g. "RegisterScalableTarget"
    params: dict[str, Any]
    region: str
    test: str


# The function whose handler is running, for calls made off its thread (FastAPI runs sync routes in a worker
# thread that inherits this context, so the stack walk alone would not see the handler).
CURRENT_FUNCTION: ContextVar[str | None] = ContextVar("iam_current_function", default=None)


def _handler_modules() -> dict[str, str]:
    template = load_template()
    return {function_handler(template, fid).rpartition(".")[0]: fid for fid in function_ids(template)}


@dataclass
class Recorder:
    """Collects calls; ``test`` is the node ID of the running test (set by the conftest hook)."""

    modules: dict[str, str]
    calls: list[Call]
    test: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def function_on_stack(self) -> str | None:
        frame = sys._getframe(2)
        found = None
        while frame is not None:
            logical_id = self.modules.get(str(frame.f_globals.get("__name__", "")))
            if logical_id is not None:
                found = logical_id  # keep walking: the outermost handler is the invoked function
            frame = frame.f_back  # type: ignore[assignment]
        return found or CURRENT_FUNCTION.get()

    def keep_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["iam_api_params"] = _plain(params)

    def record(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        function = self.function_on_stack()
        if function is None:
            return
        service_model = model.service_model
        signing = service_model.signing_name or service_model.endpoint_prefix
        service = IAM_PREFIXES.get(signing, signing)
        region = str(context.get("client_region") or "")
        call = Call(function, service, model.name, context.get("iam_api_params", {}), region, self.test)
        with self._lock:
            self.calls.append(call)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps([asdict(call) for call in self.calls]))


def _plain(value: Any) -> Any:
    """JSON-able copy of API parameters (bodies and binary values are not needed to name a resource)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k != "Body"}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


def load_calls(path: Path) -> list[Call]:
    """A recording: one file, or a folder of them (one per pytest-xdist worker)."""
    files = sorted(path.glob("calls-*.json")) if path.is_dir() else [path]
    return [Call(**item) for file in files for item in json.loads(file.read_text())]


@dataclass
class SessionScope:
    """Whether this pytest session runs the functional and workflow suites whole (set at collection)."""

    covers_suites: bool = False


RECORDER = Recorder(modules=_handler_modules(), calls=[])
SESSION = SessionScope()


def _mark_handlers() -> None:
    """Wrap each template handler so that it sets CURRENT_FUNCTION while it runs (idempotent)."""
    template = load_template()
    for logical_id in function_ids(template):
        module_name, _, attr = function_handler(template, logical_id).rpartition(".")
        module = importlib.import_module(module_name)
        original = getattr(module, attr)
        if getattr(original, "_iam_marked", False):
            continue

        def marked(*args: Any, _original: Any = original, _function: str = logical_id, **kwargs: Any) -> Any:
            token = CURRENT_FUNCTION.set(_function)
            try:
                return _original(*args, **kwargs)
            finally:
                CURRENT_FUNCTION.reset(token)

        functools.update_wrapper(marked, original)
        marked._iam_marked = True  # type: ignore[attr-defined]
        setattr(module, attr, marked)


def install() -> None:
    """Add the hooks to botocore's built-in handlers (idempotent). Sessions created later all carry them."""
    _mark_handlers()
    wanted = [("before-parameter-build", RECORDER.keep_params), ("before-call", RECORDER.record)]
    for entry in wanted:
        if entry not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(entry)
