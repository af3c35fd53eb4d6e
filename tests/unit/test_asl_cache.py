"""The embedded Step Functions parses a definition once; each execution still gets a program of its own."""

from __future__ import annotations

import json

import pytest
from autopilot_cli.embedded.asl_cache import parses_once, share_parsed_definitions
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

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
