"""The embedded Step Functions parses a definition (and each JSONPath) once; each execution still gets a program of
its own."""

from __future__ import annotations

import json

import pytest
from autopilot_cli.embedded.asl_cache import parses_once, share_parsed_definitions
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.asl.utils.json_path import extract_json

DEFINITION = json.dumps(
    {
        "StartAt": "Try",
        "States": {
            "Try": {
                "Type": "Pass",
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                "End": True,
            }
        },
    }
)


@pytest.fixture(autouse=True)
def cached() -> None:
    share_parsed_definitions()


def test_installing_twice_keeps_one_cache() -> None:
    share_parsed_definitions()
    assert parses_once()


def test_each_parse_is_a_fresh_program_with_the_same_tree() -> None:
    first, first_tree = AmazonStateLanguageParser.parse(DEFINITION)
    second, second_tree = AmazonStateLanguageParser.parse(DEFINITION)
    assert first is not second
    assert type(first) is type(second)
    assert first_tree is second_tree
    assert vars(first).keys() == vars(second).keys()


def test_a_broken_definition_fails_every_time() -> None:
    broken = DEFINITION.replace('"Pass"', '"NoSuchType"')
    for _ in range(2):
        with pytest.raises(ASLParserException):
            AmazonStateLanguageParser.parse(broken)


def test_a_json_path_is_parsed_once_and_still_finds_and_updates() -> None:
    data = {"assessment": {"output": {"decision": "scale"}}}
    assert extract_json("$.assessment.output.decision", data) == "scale"
    assert extract_json("$.assessment.output", {"assessment": {"output": 7}}) == 7
    assert vars(json_path)["parse"]("$.a.b") is vars(json_path)["parse"]("$.a.b")


def test_a_result_path_writes_into_each_input_of_its_own() -> None:
    first = vars(result_path)["parse"]("$.step.output").update_or_create({"x": 1}, {"ok": True})
    second = vars(result_path)["parse"]("$.step.output").update_or_create({"y": 2}, {"ok": False})
    assert first == {"x": 1, "step": {"output": {"ok": True}}}
    assert second == {"y": 2, "step": {"output": {"ok": False}}}


def test_a_malformed_json_path_fails_every_time() -> None:
    for _ in range(2):
        with pytest.raises(Exception, match="Parse error"):
            vars(json_path)["parse"]("$.a[")
