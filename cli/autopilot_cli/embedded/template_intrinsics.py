"""Template intrinsics beyond ``template_model.Resolver``: conditions, Fn::If, AWS::NoValue, Join/Select/Split.

Also ``typed``: resolved properties converted to the types the AWS APIs take (parameters resolve to strings).
"""

from __future__ import annotations

from typing import Any

from autopilot_cli.template_model import Resolver, TemplateError

_INT_KEYS = frozenset(
    {
        "MinCapacity",
        "MaxCapacity",
        "ScaleOutCooldown",
        "ScaleInCooldown",
        "Cooldown",
        "MinAdjustmentMagnitude",
        "ScalingAdjustment",
        "Period",
        "EvaluationPeriods",
        "DatapointsToAlarm",
        "ContainerPort",
        "DesiredCount",
        "HealthCheckGracePeriodSeconds",
        "MinimumHealthyPercent",
        "MaximumPercent",
        "StopTimeout",
        "Interval",
        "Timeout",
        "Retries",
        "StartPeriod",
    }
)
_FLOAT_KEYS = frozenset({"TargetValue", "Threshold", "MetricIntervalLowerBound", "MetricIntervalUpperBound"})
_BOOL_KEYS = frozenset(
    {
        "ReturnData",
        "ActionsEnabled",
        "DisableScaleIn",
        "Enable",
        "Rollback",
        "EnableECSManagedTags",
        "Essential",
        "ReadonlyRootFilesystem",
        "InitProcessEnabled",
    }
)
_NO_VALUE = object()


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical ID → resource, for every resource of one type, in template order."""
    return {name: res for name, res in template.get("Resources", {}).items() if res.get("Type") == resource_type}


def condition_holds(resolver: Resolver, name: str) -> bool:
    """Evaluate a named condition over parameter values (Fn::Equals, Not, And, Or, Condition)."""
    conditions = resolver.template.get("Conditions", {})
    if name not in conditions:
        raise TemplateError(f"condition {name!r} is used but not defined in the template's Conditions")
    return _truth(resolver, conditions[name])


def _truth(resolver: Resolver, expr: Any) -> bool:
    ((fn, args),) = dict(expr).items()
    if fn == "Condition":
        return condition_holds(resolver, str(args))
    if fn == "Fn::Equals":
        left, right = (str(resolve(resolver, arg)) for arg in args)
        return left == right
    if fn == "Fn::Not":
        return not _truth(resolver, args[0])
    if fn == "Fn::And":
        return all(_truth(resolver, arg) for arg in args)
    if fn == "Fn::Or":
        return any(_truth(resolver, arg) for arg in args)
    raise TemplateError(f"cannot evaluate condition function {fn} locally")


def resolve(resolver: Resolver, value: Any) -> Any:
    """The resolver's intrinsics plus Fn::If, AWS::NoValue, Fn::Join, Fn::Select and Fn::Split."""
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Fn::If":
            return resolve(resolver, arg[1] if condition_holds(resolver, str(arg[0])) else arg[2])
        if fn == "Ref" and arg == "AWS::NoValue":
            return _NO_VALUE
        if fn == "Fn::Join":
            return str(arg[0]).join(str(part) for part in resolve(resolver, arg[1]))
        if fn == "Fn::Select":
            return resolve(resolver, arg[1])[int(resolve(resolver, arg[0]))]
        if fn == "Fn::Split":
            return str(resolve(resolver, arg[1])).split(str(arg[0]))
        if fn == "Ref" and resolver.template.get("Parameters", {}).get(arg, {}).get("Type") == "CommaDelimitedList":
            return [item for item in resolver.ref(str(arg)).split(",") if item]
        if fn in ("Ref", "Fn::Sub", "Fn::GetAtt"):
            return resolver.resolve(value)
    if isinstance(value, dict):
        resolved = {str(key): resolve(resolver, item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}
    if isinstance(value, list):
        return [item for item in (resolve(resolver, item) for item in value) if item is not _NO_VALUE]
    return value


def typed(value: Any, key: str = "") -> Any:
    """Plain Python values with the API's types (template parameters resolve to strings)."""
    if isinstance(value, dict):
        return {str(k): typed(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(item, key) for item in value]
    if key in _INT_KEYS:
        return int(float(value))
    if key in _FLOAT_KEYS:
        return float(value)
    if key in _BOOL_KEYS:
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def properties(resolver: Resolver, logical_id: str) -> dict[str, Any] | None:
    """Resolved, typed properties of a resource, or None when its Condition is false."""
    resource = resolver.template["Resources"][logical_id]
    if "Condition" in resource and not condition_holds(resolver, str(resource["Condition"])):
        return None
    props: dict[str, Any] = typed(resolve(resolver, resource.get("Properties", {})))
    return props
