"""``--aws`` reads a deployed stack's resource names from its CloudFormation Outputs (DescribeStacks), in moto.

The embedded stack is built from template.yaml; a stack holding exactly the Outputs template.yaml declares, with
the embedded stack's values, stands in for the deployed one.
"""

from __future__ import annotations

import pytest
from autopilot_cli.deployed_stack import account_environment, stack_outputs
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.template_model import TemplateError, function_environment, function_ids, load_template

from tests.helpers.deployed import declared_outputs, deploy_outputs

GIVEN = {"AWS_REGION": "us-east-2"}  # nothing else: every name must come from the stack


@pytest.mark.parametrize("logical_id", function_ids(load_template()))
def test_every_functions_environment_comes_from_the_stacks_outputs(stack: EmbeddedStack, logical_id: str) -> None:
    name = stack.resolver.stack_name
    deploy_outputs(name, declared_outputs(stack))
    assert account_environment(logical_id, name, GIVEN) == function_environment(stack.resolver, logical_id)


def test_the_outputs_are_read_back_as_deployed(stack: EmbeddedStack) -> None:
    deploy_outputs("deployed", {"StateTableName": "the-table"})
    assert stack_outputs("deployed", "us-east-2") == {"StateTableName": "the-table"}


def test_a_stack_that_does_not_exist_is_named(stack: EmbeddedStack) -> None:
    with pytest.raises(TemplateError, match="cannot read the outputs of stack 'nowhere' in us-east-2"):
        account_environment("EmergencyScaleFunction", "nowhere", GIVEN)


def test_a_name_no_output_gives_is_asked_for(stack: EmbeddedStack) -> None:
    outputs = declared_outputs(stack)
    del outputs["StateTableName"]
    deploy_outputs("older", outputs)
    with pytest.raises(TemplateError, match="EmergencyScaleFunction needs STATE_TABLE_NAME from the deployed stack"):
        account_environment("EmergencyScaleFunction", "older", GIVEN)
    assert (
        account_environment("EmergencyScaleFunction", "older", {**GIVEN, "STATE_TABLE_NAME": "t"})["STATE_TABLE_NAME"]
        == "t"
    )
