"""A deployed stack's CloudFormation Outputs in moto, for the CLI's ``--aws`` path."""

from __future__ import annotations

import json

import boto3
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.template_model import TemplateError


def declared_outputs(stack: EmbeddedStack) -> dict[str, str]:
    """template.yaml's Outputs with the embedded stack's values (those it can resolve: not the URLs of the load
    balancer, the dashboard or the ops API, which the embedded stack does not build)."""
    outputs = {}
    for key, spec in stack.resolver.template["Outputs"].items():
        try:
            outputs[key] = str(stack.resolver.resolve(spec["Value"]))
        except TemplateError:
            continue
    return outputs


def deploy_outputs(name: str, outputs: dict[str, str], region: str = "us-east-2") -> None:
    """A stack ``name`` whose DescribeStacks reports exactly ``outputs``."""
    body = {
        "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},  # a stack needs one resource
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name=region).create_stack(StackName=name, TemplateBody=json.dumps(body))


def deploy_as_template_says(stack: EmbeddedStack) -> None:
    """The embedded stack, as DescribeStacks would show it had template.yaml deployed it."""
    deploy_outputs(stack.resolver.stack_name, declared_outputs(stack), stack.region)
