"""Each function's IAM policy, read from the SAM-transformed template and resolved to the embedded stack's ARNs,
and a small evaluator: does an Allow statement cover an action on a resource (wildcards as IAM evaluates them,
``StringEquals``/``StringLike``/``ArnLike`` conditions on the request's keys)?
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from autopilot_cli.embedded.template_intrinsics import resolve
from autopilot_cli.template_model import Resolver

from tests.helpers.iam_actions import STAR, Need


@dataclass(frozen=True)
class Grant:
    """One (action pattern, resource pattern) pair of an Allow statement, with its condition block."""

    function: str
    action: str
    resource: str
    condition: str  # JSON-ish text of the condition block, "" when none (kept hashable)
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]  # (operator, key, values)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def function_roles(transformed: dict[str, Any]) -> dict[str, str]:
    """Function logical ID → the logical ID of the role SAM made for it."""
    roles = {}
    for name, resource in transformed["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role = resource["Properties"]["Role"]
        roles[name] = (
            role["Fn::GetAtt"][0] if isinstance(role["Fn::GetAtt"], list) else role["Fn::GetAtt"].split(".")[0]
        )
    return roles


def _conditions(block: dict[str, Any]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple(
        (operator, key, tuple(str(v) for v in _as_list(values)))
        for operator, keys in block.items()
        for key, values in keys.items()
    )


def grants(transformed: dict[str, Any], resolver: Resolver) -> dict[str, list[Grant]]:
    """Function logical ID → every Allow (action, resource) its role's inline policies give, resolved."""
    found: dict[str, list[Grant]] = {}
    for function, role_id in function_roles(transformed).items():
        role = transformed["Resources"][role_id]["Properties"]
        found[function] = []
        for policy in role.get("Policies", []):
            for statement in resolve(resolver, policy["PolicyDocument"])["Statement"]:
                if statement.get("Effect") != "Allow":
                    continue
                block = statement.get("Condition", {})
                conditions = _conditions(block)
                found[function] += [
                    Grant(function, str(action), str(resource), repr(block) if block else "", conditions)
                    for action in _as_list(statement["Action"])
                    for resource in _as_list(statement["Resource"])
                ]
    return found


def _resource_covers(pattern: str, resource: str) -> bool:
    """IAM matches ``*`` and ``?`` in the policy's resource; a needed ARN with a wildcard (a list of every resource
    of a type) is covered only by a pattern at least as wide."""
    if STAR in resource:
        if not fnmatchcase(resource, pattern):
            return False
        return pattern.index("*") <= resource.index("*") if "*" in pattern else False
    return fnmatchcase(resource, pattern)


def _condition_holds(operator: str, key: str, values: tuple[str, ...], context: dict[str, str]) -> bool:
    if key not in context:
        return False  # IAM: a condition on a key the request does not carry does not match
    actual = context[key]
    if operator == "StringEquals":
        return actual in values
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatchcase(actual, v) for v in values)
    raise ValueError(f"the IAM test does not evaluate condition operator {operator}; add it to iam_policy.py")


def covers(grant: Grant, need: Need) -> bool:
    if not fnmatchcase(need.action.lower(), grant.action.lower()):
        return False
    if not _resource_covers(grant.resource, need.resource):
        return False
    return all(_condition_holds(op, key, values, need.context) for op, key, values in grant.conditions)
