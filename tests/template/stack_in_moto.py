"""Deploy the transformed template into moto's CloudFormation as far as moto supports it.

What moto cannot create is taken out and made another way, each for a stated reason:

- ``AWS::CloudWatch::Alarm`` and ``AWS::ApplicationAutoScaling::*``: moto's CloudFormation skips them; they
  are created afterwards by ``autopilot_cli.embedded.template_resources`` from the same properties.
- ``AWS::ECS::TaskDefinition`` and ``AWS::ECS::Service``: moto's CloudFormation drops the task's CPU, network
  mode, platform and roles, and the service's load balancers and network configuration;
  ``template_resources.create_task_definition`` and ``create_service`` make them from the template instead.
- ``AWS::SecretsManager::Secret``: moto's CloudFormation has no such type; it is created with the Secrets
  Manager API from its properties before the stack.
- ``AWS::ApiGateway::RestApi``/``Deployment``/``Stage`` (the ops API): moto's CloudFormation ignores the API's
  ``Body`` (SAM's Swagger 2.0 definition; moto imports only OpenAPI 3) and then refuses to deploy an API without
  methods. Not made here: the routes run through Mangum in ``tests/functional/test_ops_api.py``, and
  ``tests/template/test_ops_api_template.py`` checks the definition (IAM auth on every method).
- ``Fn::Cidr``: moto does not evaluate it; the same split is computed here with ``ipaddress``.
- ``AWS::SecretsManager::SecretTargetAttachment``: moto has none; it only adds the instance's host and port to
  the secret, so nothing is made in its place.
- moto 5.2.5 returns the model object for ``Ref`` of a DB parameter group and has no ``Fn::GetAtt`` on target
  groups; ``moto_gaps`` supplies what real CloudFormation returns (the group's name, the target group's names).
"""

from __future__ import annotations

import io
import ipaddress
import json
import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.elbv2.models import FakeTargetGroup
from moto.rds.models import DBParameterGroup

from tests.template.sam_transform import CODE_BUCKET, CODE_KEY

ACCOUNT = "123456789012"
REGION = "us-east-2"
STACK_NAME = "sensor-autopilot"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/sensor-api:1.0"
MADE_ELSEWHERE = {
    "AWS::CloudWatch::Alarm",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::ECS::TaskDefinition",
    "AWS::ECS::Service",
    "AWS::SecretsManager::Secret",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
}
MASTER_SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-master"
_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


@contextmanager
def moto_gaps() -> Iterator[None]:
    """What real CloudFormation returns where moto 5.2.5 returns nothing usable."""

    def target_group_attribute(self: FakeTargetGroup, name: str) -> str:
        if name == "TargetGroupFullName":
            return str(self.arn.rsplit(":", 1)[-1])
        if name == "TargetGroupName":
            return str(self.name)
        raise NotImplementedError(f"Fn::GetAtt {name} of a target group")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DBParameterGroup, "physical_resource_id", property(lambda self: self.name), raising=False)
        patch.setattr(FakeTargetGroup, "get_cfn_attribute", target_group_attribute, raising=False)
        yield


def _named(value: Any, params: dict[str, str]) -> str:
    """A name property: ``!If [Has<P>, !Ref P, !Sub "${AWS::StackName}-..."]`` takes the parameter when set."""
    if isinstance(value, dict) and "Fn::If" in value:
        _condition, given, derived = value["Fn::If"]
        return params.get(given["Ref"]) or _plain_sub(derived)
    return _plain_sub(value)


def _stand_in(resource: dict[str, Any], attribute: str | None, made: dict[str, str], params: dict[str, str]) -> str:
    """What Ref/GetAtt of a resource made outside the stack returns, as far as the stack needs it."""
    props = resource.get("Properties", {})
    kind = resource["Type"]
    if kind == "AWS::CloudWatch::Alarm":
        name = _plain_sub(props["AlarmName"])
        return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}" if attribute == "Arn" else name
    if kind == "AWS::ECS::Service":
        name = _named(props["ServiceName"], params)
        return name if attribute == "Name" else f"service/{name}"
    if kind == "AWS::SecretsManager::Secret":
        return made[_plain_sub(props["Name"])]
    return f"made-outside-the-stack:{kind}"


def _plain_sub(value: Any) -> str:
    text = value["Fn::Sub"] if isinstance(value, dict) else str(value)
    return str(text).replace("${AWS::StackName}", STACK_NAME)


def _cidr(args: list[Any]) -> list[str]:
    block, count, bits = args
    network = ipaddress.ip_network(block["Ref"] if isinstance(block, dict) else block, strict=False)
    return [str(net) for net in list(network.subnets(new_prefix=32 - int(bits)))[: int(count)]]


def _rewrite(value: Any, outside: dict[str, dict[str, Any]], made: dict[str, str], params: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_rewrite(item, outside, made, params) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref" and arg in outside:
            return _stand_in(outside[arg], None, made, params)
        if fn == "Fn::GetAtt":
            name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
            if name in outside:
                return _stand_in(outside[name], attribute, made, params)
            if attribute == "MasterUserSecret.SecretArn":
                return MASTER_SECRET_ARN
        if fn == "Fn::Cidr":
            return _cidr([params.get(arg[0].get("Ref"), arg[0]) if isinstance(arg[0], dict) else arg[0], *arg[1:]])
        if fn == "Fn::Sub" and isinstance(arg, str):
            return {"Fn::Sub": _SUB_VAR.sub(lambda m: _sub_var(m, outside, made, params), arg)}
    return {key: _rewrite(item, outside, made, params) for key, item in value.items()}


def _sub_var(
    match: re.Match[str], outside: dict[str, dict[str, Any]], made: dict[str, str], params: dict[str, str]
) -> str:
    name, _, attribute = match.group(1).partition(".")
    if name in outside:
        return _stand_in(outside[name], attribute or None, made, params)
    if attribute == "MasterUserSecret.SecretArn":
        return MASTER_SECRET_ARN
    return match.group(0)


def _create_secrets(outside: dict[str, dict[str, Any]]) -> dict[str, str]:
    client = boto3.client("secretsmanager", region_name=REGION)
    made: dict[str, str] = {}
    for resource in outside.values():
        if resource["Type"] == "AWS::SecretsManager::Secret":
            props = resource["Properties"]
            name = _plain_sub(props["Name"])
            value = json.dumps({props["GenerateSecretString"]["GenerateStringKey"]: "generated-in-the-test"})
            made[name] = client.create_secret(Name=name, Description=props["Description"], SecretString=value)["ARN"]
    return made


def _upload_code() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=CODE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})  # type: ignore[typeddict-item]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", "def handler(event, context):\n    return event\n")
    s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=buffer.getvalue())


@dataclass
class Deployment:
    outside: dict[str, dict[str, Any]]  # logical ID → resource, for the resources not in the moto stack
    secrets: dict[str, str]  # logical ID → ARN of the secrets created before the stack


def deploy(transformed: dict[str, Any], parameters: dict[str, str]) -> Deployment:
    """Create the stack in the active moto; returns what was made (or is left to make) outside it."""
    outside = {name: res for name, res in transformed["Resources"].items() if res["Type"] in MADE_ELSEWHERE}
    defaults = {name: str(spec.get("Default", "")) for name, spec in transformed["Parameters"].items()}
    made = _create_secrets(outside)
    for name in outside:
        del transformed["Resources"][name]
    body = _rewrite(transformed, outside, made, {**defaults, **parameters})
    _upload_code()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(body),
            Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
    skipped = [str(w.message) for w in caught if "not supported by moto" in str(w.message)]
    # A wait condition handle has nothing to create, and a secret's target attachment only adds the instance's
    # host and port to the secret; anything else moto skips must be listed in MADE_ELSEWHERE.
    nothing_to_make = ("WaitConditionHandle", "SecretTargetAttachment")
    unexpected = [message for message in skipped if not any(kind in message for kind in nothing_to_make)]
    assert not unexpected, f"moto skipped resources nobody makes another way: {unexpected}"
    secrets = {
        logical_id: made[_plain_sub(res["Properties"]["Name"])]
        for logical_id, res in outside.items()
        if res["Type"] == "AWS::SecretsManager::Secret"
    }
    return Deployment(outside=outside, secrets=secrets)
