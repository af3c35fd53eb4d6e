"""NotifyFunction on moto: what it answers for a message sent at once, one filed for the digest, and each digest
run (sent, already run, nothing waiting), with the SNS message it names and marks the listed notifications with."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from autopilot.handlers import notify
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from tests.functional.test_notify_digest import load, routine, schedule
from tests.helpers.stack_state import table_items


def sent_ids(topic_arn: str) -> list[str]:
    """The message IDs SNS gave to what was published to the topic, in order."""
    topic = sns_backends[DEFAULT_ACCOUNT_ID][topic_arn.split(":")[3]].topics[topic_arn]
    return [message_id for message_id, *_ in topic.sent_notifications]


@pytest.fixture
def notify_env(function_env: Callable[[str], dict[str, str]]) -> None:
    function_env("NotifyFunction")


def test_an_actionable_notification_answers_with_the_sent_message_and_why_it_went_at_once(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext
) -> None:
    result = notify.handler(load("notify-restored.json"), lambda_context)
    [message_id] = sent_ids(stack.topic_arn)
    assert result == {
        "message_id": message_id,
        "subject": result["subject"],
        "digest": False,
        "why": "outcome succeeded",
    }
    assert result["subject"].startswith("[sensor-autopilot] Restored the floor of")


def test_a_routine_notification_answers_that_it_waits_for_the_digest_and_why(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext
) -> None:
    result = notify.handler(routine(1), lambda_context)
    assert result == {
        "message_id": None,
        "subject": "[sensor-autopilot] the alarm returned to OK",
        "digest": True,
        "why": "no action: no lease to restore (event 1)",
    }
    assert sent_ids(stack.topic_arn) == []


def test_each_digest_run_says_what_it_sent_or_why_it_sent_nothing(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext
) -> None:
    for n in range(2):
        notify.handler(routine(n), lambda_context)
    sent = notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)
    [message_id] = sent_ids(stack.topic_arn)
    assert sent == {
        "sent": True,
        "count": 2,
        "message_id": message_id,
        "subject": "[sensor-autopilot] Digest: 2 routine notifications up to 2026-11-27 15:00:00 UTC",
    }
    filed = table_items(stack, "DIGEST#2026-11-27")
    assert [(e["sent_at"], e["message_id"]) for e in filed] == [("2026-11-27T15:00:00+00:00", message_id)] * 2
    assert notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context) == {
        "sent": False,
        "count": 0,
        "reason": "the digest for 2026-11-27T15:00:00+00:00 already ran",
    }
    assert notify.handler(schedule("2026-11-27T16:00:00Z"), lambda_context) == {
        "sent": False,
        "count": 0,
        "reason": "no routine notification waits up to 2026-11-27T16:00:00+00:00",
    }
    assert len(sent_ids(stack.topic_arn)) == 1


def logged(caplog: pytest.LogCaptureFixture, message: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == message]


def test_the_log_says_which_notification_went_out_was_filed_or_was_a_duplicate_and_why(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext, caplog: pytest.LogCaptureFixture
) -> None:
    """The log is the only trace of a routine notification until its digest goes out."""
    caplog.set_level(logging.INFO)
    sent = notify.handler(load("notify-restored.json"), lambda_context)
    notify.handler(routine(1), lambda_context)
    notify.handler(routine(1), lambda_context)  # delivered twice
    digest = notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)
    [at_once] = logged(caplog, "notification sent")
    assert (at_once.subject, at_once.why) == (sent["subject"], "outcome succeeded")  # type: ignore[attr-defined]
    for message in ("routine notification filed for the digest", "routine notification already filed (duplicate)"):
        [filed] = logged(caplog, message)
        assert (filed.subject, filed.event_id) == ("[sensor-autopilot] the alarm returned to OK", "ok-1")  # type: ignore[attr-defined]
        assert filed.why == "no action: no lease to restore (event 1)"  # type: ignore[attr-defined]
    [digest_sent] = logged(caplog, "digest sent")
    assert (digest_sent.count, digest_sent.subject) == (1, digest["subject"])  # type: ignore[attr-defined]
