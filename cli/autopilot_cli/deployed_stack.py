"""A deployed stack's resource names, read from its CloudFormation Outputs (``--aws``), never rebuilt by hand.

Each Output of template.yaml whose value is ``!Ref X`` (or ``!GetAtt X.Attr``) tells the physical ID of ``X`` (or
its attribute); a function's environment is then resolved from the template with those IDs, as Lambda has it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from autopilot_cli.template_model import Resolver, TemplateError, deployed_function_environment, load_template


def stack_outputs(stack_name: str, region: str) -> dict[str, str]:
    """``OutputKey`` → ``OutputValue`` of the stack (DescribeStacks)."""
    try:
        stacks = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)["Stacks"]
    except (ClientError, BotoCoreError) as exc:
        raise TemplateError(
            f"cannot read the outputs of stack {stack_name!r} in {region}: {exc}. Deploy it first, or pass "
            "--stack-name (and AWS_REGION) for the stack you deployed"
        ) from exc
    return {item["OutputKey"]: item["OutputValue"] for item in stacks[0].get("Outputs", [])}


def _target(value: Any) -> tuple[str, str | None] | None:
    """``(resource, attribute)`` an Output's value names, when it is a plain ``Ref`` or ``GetAtt``."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and isinstance(arg, str):
            return arg, None
        if key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else list(arg)
            return str(parts[0]), str(parts[1])
    return None


def bind_outputs(resolver: Resolver, outputs: Mapping[str, str]) -> None:
    """Record in ``resolver`` the physical IDs and attributes the stack's Outputs report."""
    for key, spec in resolver.template.get("Outputs", {}).items():
        target = _target(spec.get("Value"))
        if key not in outputs or target is None:
            continue
        resource, attribute = target
        if attribute is None:
            resolver.physical_ids[resource] = outputs[key]
        else:
            resolver.attributes[f"{resource}.{attribute}"] = outputs[key]


def account_environment(logical_id: str, stack_name: str, given: Mapping[str, str] | None = None) -> dict[str, str]:
    """A function's environment for the deployed stack: the names from its Outputs, a variable set in ``given``
    (by default this process's environment) taking precedence."""
    given = os.environ if given is None else given
    region = given.get("AWS_REGION") or given.get("AWS_DEFAULT_REGION") or "us-east-2"
    resolver = Resolver(load_template(), stack_name=stack_name, region=region)
    bind_outputs(resolver, stack_outputs(stack_name, region))
    return deployed_function_environment(resolver, logical_id, given)
