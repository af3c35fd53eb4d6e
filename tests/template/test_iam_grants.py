"""Every AWS call each handler makes in the functional and workflow suites is allowed by that function's policy in
the SAM-transformed template, and every granted action is exercised by some test (or listed with its reason).

The calls are recorded by ``tests/helpers/iam_calls.py`` (a botocore hook, tagged with the function whose handler
is on the stack). When this session ran both suites whole, their recording is used (this test runs last); else
the test runs them itself in a subprocess. Resources are resolved to the embedded stack's names, the one the
suites ran against. Failure messages name the function, the action, the resource and the test that made the call.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.embedded.seed_stack import ACCOUNT, REGION, STACK_NAME, seed_stack
from autopilot_cli.embedded.server import patched_environ
from autopilot_cli.template_model import Resolver
from moto import mock_aws

from tests.helpers import iam_calls
from tests.helpers.aws_env import BASE_ENV
from tests.helpers.iam_actions import Need, needs_of
from tests.helpers.iam_calls import Call
from tests.helpers.iam_policy import Grant, covers, grants
from tests.template.conftest import ROOT
from tests.template.sam_transform import transformed_template

pytestmark = pytest.mark.iam_audit
SUITES = ("tests/functional", "tests/workflow")
TOPIC_KEYS: dict[str, str] = {}  # the notification topic → its KMS key (set with the grants)
# Granted but exercised by no test, each with the reason it stays granted.
UNEXERCISED: dict[tuple[str, str, str], str] = {
    (
        "CostReportFunction",
        "lambda:GetFunctionConfiguration",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK_NAME}-CostReportFunction-*",
    ): "its own configuration: Lambda sets AWS_LAMBDA_FUNCTION_NAME only in a real invocation",
}


@pytest.fixture(scope="module")
def recorded() -> list[Call]:
    if iam_calls.SESSION.covers_suites and iam_calls.RECORDER.calls:
        return list(iam_calls.RECORDER.calls)
    saved = os.environ.get(iam_calls.REPLAY_FILE_ENV)
    if saved:  # a recording of this checkout's suites (IAM_CALLS_FILE=... pytest tests/functional tests/workflow)
        return iam_calls.load_calls(Path(saved))
    return _record_in_subprocess()


def _record_in_subprocess() -> list[Call]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "calls.json"
        env = {**os.environ, iam_calls.RECORD_FILE_ENV: str(out)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *SUITES]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
        assert done.returncode == 0, f"the suites that record the calls failed:\n{done.stdout[-4000:]}"
        return iam_calls.load_calls(out)


@pytest.fixture(scope="module")
def granted() -> Iterator[dict[str, list[Grant]]]:
    """Each function's grants, resolved against the embedded stack the suites ran against."""
    with patched_environ(BASE_ENV), mock_aws():
        stack = seed_stack()
        transformed = transformed_template()
        resolver = Resolver(
            transformed,
            stack_name=STACK_NAME,
            region=REGION,
            account=ACCOUNT,
            parameters=stack.resolver.parameters,
            physical_ids=stack.resolver.physical_ids,
            attributes=stack.resolver.attributes,
        )
        resolver.physical_ids["NotificationKey"] = "notification-key"  # the embedded stack has no KMS key
        resolver.attributes["NotificationKey.Arn"] = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/notification-key"
        TOPIC_KEYS.clear()
        TOPIC_KEYS[stack.topic_arn] = resolver.attributes["NotificationKey.Arn"]
        yield grants(transformed, resolver)


def _needs(calls: list[Call]) -> list[tuple[Call, Need]]:
    return [(call, need) for call in calls for need in needs_of(call, TOPIC_KEYS)]


def test_every_function_made_calls_in_the_suites(recorded: list[Call], granted: dict[str, Any]) -> None:
    silent = sorted(set(granted) - {call.function for call in recorded})
    assert not silent, f"no test recorded an AWS call of these functions (their grants are unchecked): {silent}"


def test_every_recorded_call_is_allowed_by_the_functions_policy(
    recorded: list[Call], granted: dict[str, list[Grant]]
) -> None:
    missing: dict[str, str] = {}
    for call, need in _needs(recorded):
        if not any(covers(grant, need) for grant in granted.get(call.function, [])):
            context = f" with {need.context}" if need.context else ""
            why = f" ({need.why})" if need.why else ""
            line = (
                f"{call.function} lacks {need.action} on {need.resource}{context}{why}: "
                f"needed by {call.service}:{call.operation} in {call.test or 'a workflow execution'}"
            )
            missing.setdefault(f"{call.function} {need.action} {need.resource}", line)
    assert not missing, "calls the template does not allow:\n" + "\n".join(sorted(missing.values()))


def test_every_grant_is_exercised_or_listed_with_its_reason(
    recorded: list[Call], granted: dict[str, list[Grant]]
) -> None:
    needs = _needs(recorded)
    unused = sorted(
        {
            f"{grant.function}: {grant.action} on {grant.resource}"
            for function, function_grants in granted.items()
            for grant in function_grants
            if (function, grant.action, grant.resource) not in UNEXERCISED
            and not any(call.function == function and covers(grant, need) for call, need in needs)
        }
    )
    assert not unused, "granted but exercised by no test (remove, or list in UNEXERCISED with the reason):\n" + (
        "\n".join(unused)
    )


def test_the_unexercised_list_names_only_grants_that_exist(granted: dict[str, list[Grant]]) -> None:
    present = {(grant.function, grant.action, grant.resource) for grants_ in granted.values() for grant in grants_}
    stale = sorted(" ".join(entry) for entry in UNEXERCISED if entry not in present)
    assert not stale, f"UNEXERCISED lists grants the template no longer has: {stale}"


def grant_table(recorded: list[Call], granted: dict[str, list[Grant]]) -> str:
    """Per function: each granted action and the tests that exercise it (Markdown), for the closing notes."""
    lines = ["| function | action | resource | exercised by |", "| --- | --- | --- | --- |"]
    needs = _needs(recorded)
    for function in sorted(granted):
        for grant in sorted(set(granted[function]), key=lambda g: (g.action, g.resource)):
            tests = sorted({call.test for call, need in needs if call.function == function and covers(grant, need)})
            shown = ", ".join(t.rsplit("::", 1)[-1] for t in tests[:2]) + (
                f" (+{len(tests) - 2})" if len(tests) > 2 else ""
            )
            reason = UNEXERCISED.get((function, grant.action, grant.resource), "")
            lines.append(f"| {function} | {grant.action} | {grant.resource} | {shown or reason} |")
    return "\n".join(lines)


def test_the_recording_file_round_trips(tmp_path: Path) -> None:
    call = Call("AssessFunction", "ecs", "DescribeServices", {"cluster": "c", "services": ["s"]}, REGION, "t::x")
    recorder = iam_calls.Recorder(modules={}, calls=[call])
    recorder.save(tmp_path / "calls.json")
    assert iam_calls.load_calls(tmp_path / "calls.json") == [call]
