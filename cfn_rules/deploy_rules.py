"""Rules for templates that cfn-lint accepts and AWS refuses (or that cannot live twice in one account).

- E9101: a read replica of a source whose master password RDS manages (``ManageMasterUserPassword``): RDS
  refuses "Creating read replicas for source instance ... where ManageMasterUserPassword is enabled".
- E9102: a PostgreSQL engine version pinned to a minor: minors are retired for new instances and the stack stops
  deploying; give the major version alone.
- E9103: a fixed physical name: a second stack (dev beside prod) collides with it. Derive it from the stack name.
- E9104: IOPS RDS refuses: an ``Iops`` value on gp3 below 400 GiB (3,000 are included and cannot be set), or an
  io1/io2 IOPS-to-storage ratio above what RDS accepts.

Values are read as the stack deploys with its parameters' defaults: a literal, or a ``Ref`` to a parameter.
"""

from __future__ import annotations

import json
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch

NOT_LITERAL = object()
RDS_GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
NAME_PROPERTIES = {
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName",
    "AWS::ECS::TaskDefinition": "Family",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SSM::Parameter": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Events::Rule": "Name",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "PolicyName",
}
IOPS_PER_GIB_MAX = {"io1": 50, "io2": 1000}
GP3_IOPS_FROM_GIB = 400


def _default(template: dict[str, Any], value: Any) -> Any:
    """A literal as is; a ``Ref`` to a parameter as its default; anything else ``NOT_LITERAL``."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict) and list(value) == ["Ref"]:
        parameter = template.get("Parameters", {}).get(str(value["Ref"]))
        if parameter is not None and "Default" in parameter:
            return parameter["Default"]
    return NOT_LITERAL


def _resources(cfn: Any, kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in cfn.get_resources([kind]).items() if isinstance(res.get("Properties"), dict)}


class ReplicaOfManagedPasswordSource(CloudFormationLintRule):
    id = "E9101"
    shortdesc = "No read replica of a source with ManageMasterUserPassword"
    description = "RDS refuses to create a read replica of a DB instance whose master password RDS manages"
    source_url = RDS_GUIDE + "rds-secrets-manager.html#rds-secrets-manager-limitations"
    tags = ["resources", "rds"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        instances = _resources(cfn, "AWS::RDS::DBInstance")
        matches = []
        for name, res in instances.items():
            source = res["Properties"].get("SourceDBInstanceIdentifier")
            source_id = source.get("Ref") if isinstance(source, dict) else source
            source_props = instances.get(str(source_id), {}).get("Properties", {})
            if str(source_props.get("ManageMasterUserPassword", "false")).lower() == "true":
                message = (
                    f"{name} is a read replica of {source_id}, whose password RDS manages (ManageMasterUserPassword): "
                    "RDS refuses it. Keep the password in a stack-owned AWS::SecretsManager::Secret instead"
                )
                matches.append(RuleMatch(["Resources", name, "Properties", "SourceDBInstanceIdentifier"], message))
        return matches


class PinnedEngineMinor(CloudFormationLintRule):
    id = "E9102"
    shortdesc = "PostgreSQL engine version is a major version"
    description = "A pinned minor engine version stops deploying once RDS retires it for new instances"
    source_url = RDS_GUIDE + "USER_UpgradeDBInstance.PostgreSQL.MinorUpgrade.html"
    tags = ["resources", "rds"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        matches = []
        for name, res in _resources(cfn, "AWS::RDS::DBInstance").items():
            props = res["Properties"]
            if "postgres" not in str(props.get("Engine", "")):
                continue
            version = _default(cfn.template, props.get("EngineVersion"))
            if isinstance(version, str) and "." in version:
                message = (
                    f"{name} pins PostgreSQL {version}: minor versions are retired for new instances and the stack "
                    f"stops deploying. Give the major version alone ({version.split('.')[0]})"
                )
                matches.append(RuleMatch(["Resources", name, "Properties", "EngineVersion"], message))
        return matches


class FixedPhysicalName(CloudFormationLintRule):
    id = "E9103"
    shortdesc = "Physical names derive from the stack name"
    description = "A fixed physical name keeps a second stack (dev beside prod) out of the account"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html"
    tags = ["resources", "naming"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        matches = []
        for kind, prop in NAME_PROPERTIES.items():
            for name, res in _resources(cfn, kind).items():
                if prop not in res["Properties"]:
                    continue
                value = res["Properties"][prop]
                text = json.dumps(value)
                derived = "AWS::StackName" in text or any(
                    other in text for other in cfn.template.get("Resources", {}) if other != name
                )
                if not derived:
                    message = (
                        f"{name}.{prop} is fixed ({text}): a second stack in the account collides with it. "
                        'Derive it from the stack name, e.g. !Sub "${AWS::StackName}-..."'
                    )
                    matches.append(RuleMatch(["Resources", name, "Properties", prop], message))
        return matches


class RefusedIops(CloudFormationLintRule):
    id = "E9104"
    shortdesc = "Provisioned IOPS that RDS accepts"
    description = "gp3 below 400 GiB takes no Iops value; io1/io2 bound the IOPS per GiB"
    source_url = RDS_GUIDE + "CHAP_Storage.html"
    tags = ["resources", "rds"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        matches = []
        for name, res in _resources(cfn, "AWS::RDS::DBInstance").items():
            props = res["Properties"]
            if "Iops" not in props:
                continue
            iops = _default(cfn.template, props["Iops"])
            kind = _default(cfn.template, props.get("StorageType", "gp2"))
            storage = _default(cfn.template, props.get("AllocatedStorage"))
            if NOT_LITERAL in (iops, kind, storage) or storage is None:
                continue
            problem = _iops_problem(str(kind), float(iops), float(storage))
            if problem:
                matches.append(RuleMatch(["Resources", name, "Properties", "Iops"], f"{name}: {problem}"))
        return matches


def _iops_problem(kind: str, iops: float, storage: float) -> str:
    if kind == "gp3" and storage < GP3_IOPS_FROM_GIB:
        return (
            f"gp3 below {GP3_IOPS_FROM_GIB} GiB ({storage:g} GiB) includes 3,000 IOPS and RDS refuses an Iops value; "
            "leave Iops unset"
        )
    ratio = IOPS_PER_GIB_MAX.get(kind)
    if ratio is not None and iops > ratio * storage:
        return f"{kind} allows at most {ratio} IOPS per GiB: {iops:g} IOPS on {storage:g} GiB is refused"
    return ""
