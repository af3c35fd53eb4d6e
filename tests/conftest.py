"""Shared fixtures: moto with the seed's stack built from template.yaml, a LambdaContext, SNS readers."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.collector import settle_for_exit, settle_imports
from autopilot_cli.embedded.seed_stack import EmbeddedStack, seed_stack
from autopilot_cli.lambda_context import LocalLambdaContext
from autopilot_cli.template_model import function_environment, stack_environment
from moto import mock_aws

from tests.helpers import faults as fault_injection
from tests.helpers import iam_calls
from tests.helpers.aws_env import BASE_ENV, clear_settings_caches, speed_up_emulation
from tests.helpers.moto_snapshot import MotoSnapshot
from tests.helpers.sns import published

# Every AWS call a handler makes in any test is recorded for the IAM test (tests/template/test_iam_grants.py).
iam_calls.install()
# Fault injection rides on botocore's public before-send hook, present in every session (tests/helpers/faults.py).
fault_injection.install()


def pytest_configure(config: pytest.Config) -> None:
    speed_up_emulation()


MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
    # One boto3 default session for the process, as in a warm Lambda container: the functions' clients are made
    # once and reused by every test (each mock still starts from reset backends); a new session per test made
    # them again, about 7 ms each.
    "core": {"reset_boto3_session": False},
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An active moto mock in us-east-2 with fake credentials and fresh settings."""
    for name, value in BASE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    clear_settings_caches()
    with mock_aws(config=MOTO_CONFIG):
        yield
    clear_settings_caches()


@dataclass(frozen=True)
class SeededStack:
    """The seed's stack as built once in this process: its description, its environment, moto's state after it."""

    stack: EmbeddedStack
    environment: dict[str, str]
    state: MotoSnapshot


_SEEDED: list[SeededStack] = []


def seeded_stack() -> SeededStack:
    """Build the seed's stack in the active mock the first time; restore the snapshot of it every later time."""
    if _SEEDED:
        _SEEDED[0].state.restore()
    else:
        built = seed_stack()
        _SEEDED.append(SeededStack(built, stack_environment(built.resolver), MotoSnapshot.take()))
    return _SEEDED[0]


@pytest.fixture
def stack(aws: None, monkeypatch: pytest.MonkeyPatch) -> EmbeddedStack:
    """The seed's stack in moto, with the environment every function gets from template.yaml (restored from the
    process's snapshot: each test starts from the same freshly built stack, see tests/helpers/moto_snapshot.py)."""
    seeded = seeded_stack()
    for name, value in seeded.environment.items():
        monkeypatch.setenv(name, value)
    clear_settings_caches()
    # A copy a test may change, sharing the parsed template.yaml (read-only: load_template's own, and deep-copying
    # it would cost tens of milliseconds a test).
    template = seeded.stack.resolver.template
    return copy.deepcopy(seeded.stack, {id(template): template})


@pytest.fixture
def function_env(stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], dict[str, str]]:
    """Apply one function's environment from template.yaml (as Lambda would), returning it."""

    def apply(logical_id: str) -> dict[str, str]:
        env = function_environment(stack.resolver, logical_id)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        clear_settings_caches()
        return env

    return apply


@pytest.fixture
def lambda_context() -> LocalLambdaContext:
    return LocalLambdaContext(function_name="test-function")


@pytest.fixture
def sns_messages() -> Callable[[str], list[dict[str, Any]]]:
    return published


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    """Tag the AWS calls recorded during a test with its node ID (the IAM test names it for each grant)."""
    group = item.get_closest_marker("xdist_group")
    iam_calls.RECORDER.test = item.nodeid.removesuffix(f"@{group.args[0]}") if group else item.nodeid
    try:
        return (yield)
    finally:
        iam_calls.RECORDER.test = ""  # calls of executions still running after their test are not attributed


def pytest_sessionfinish(session: pytest.Session) -> None:
    """When the IAM test runs the suites in a subprocess, it reads the recording from this file (or, for a folder,
    from one file per pytest-xdist worker in it: ``make test`` records that way, then replays the folder).

    Then the collector is settled for the exit (``autopilot_cli.collector``), before pytest's own full collections
    at the end of the session: they and the interpreter's at exit walk nothing, where each walked the whole of moto's
    and botocore's state (about 0.6 s of CPU per collection, three per worker). The young generations are collected
    first, so an error in a finalizer of what the last tests dropped still reaches pytest's unraisable check."""
    target = os.environ.get(iam_calls.RECORD_FILE_ENV)
    if target:
        path = Path(target)
        if path.is_dir():
            path = path / f"calls-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.json"
        iam_calls.RECORDER.save(path)
    settle_for_exit()


# pyproject's default selection leaves out only suites that make no handler call (load, sam build).
DEFAULT_MARKEXPR = "not load and not build"


def _runs_whole(config: pytest.Config, items: list[pytest.Item], suite: str) -> bool:
    """Every test file of the suite has collected items in this process (not one xdist worker's share), and no
    -k/-m expression narrows them."""
    narrowed = config.option.keyword or config.option.markexpr not in ("", DEFAULT_MARKEXPR)
    if narrowed or "PYTEST_XDIST_WORKER" in os.environ or any("::" in str(arg) for arg in config.args):
        return False
    root = Path(__file__).resolve().parent / suite
    files = {path.resolve() for path in root.glob("test_*.py")}
    return files <= {Path(str(item.path)).resolve() for item in items}


def _shares_a_module_fixture(item: pytest.Item) -> bool:
    """The test uses a module-scoped fixture (a sam build, a demo run, a simulated control plane): its module then
    runs in one worker, so that fixture is built once per run rather than once per worker that draws a test."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(definitions[-1].scope == "module" for definitions in info.name2fixturedefs.values() if definitions)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The IAM audit runs last, on what the functional and workflow suites recorded in this session (when they ran
    whole; otherwise it runs them itself).

    Under pytest-xdist (``--dist loadgroup``) the suites that use the one local PostgreSQL run in one worker, one
    after the other, while the other workers run the emulated-AWS suites; a module with a module-scoped fixture runs
    in one worker."""
    for item in items:
        if {"service", "load"} & set(item.path.parts):
            item.add_marker(pytest.mark.xdist_group("postgres"))
        elif _shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    audit = [item for item in items if item.get_closest_marker("iam_audit")]
    others = [item for item in items if not item.get_closest_marker("iam_audit")]
    items[:] = others + audit
    iam_calls.SESSION.covers_suites = bool(audit) and all(
        _runs_whole(config, others, suite) for suite in ("functional", "workflow")
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse to run when pytest-xdist's loadgroup would ignore the groups above (it tags node IDs, which some
    pytest releases no longer allow: pytest-xdist#1386): the PostgreSQL suites would then run in both workers.

    What exists once the tests are collected (modules, botocore's and moto's models, the collected items) lives as
    long as the process: it leaves the cyclic collector's walks, as a command's imports do
    (``autopilot_cli.collector``). The tests then allocate containers by the million; at the raised thresholds the
    collector takes a fifth of the time it took at the default ones (an eighth of a worker's time), with the same
    peak memory (about 500 MB for the functional and workflow suites in one process)."""
    settle_imports()
    if "PYTEST_XDIST_WORKER" not in os.environ or not session.config.getoption("loadgroup", False):
        return
    untagged = [
        item.nodeid for item in session.items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if untagged:
        raise pytest.UsageError(
            f"--dist loadgroup did not group {untagged[0]} (and {len(untagged) - 1} more): this pytest and "
            "pytest-xdist do not work together; install the versions pyproject.toml allows (`make dev`)"
        )
