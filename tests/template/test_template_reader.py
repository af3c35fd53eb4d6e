"""The CLI's reader of template.yaml gives what cfn-lint's gives: CloudFormation's short forms as their long forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.template_model import TemplateError, load_template

from tests.template.conftest import TEMPLATE

SHORT_FORMS = """
Conditions:
  Prod: !Equals [!Ref Stage, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-jobs"
      Tags:
        - Key: endpoint
          Value: !GetAtt Database.Endpoint.Address
        - Key: size
          Value: !If [Prod, large, !Select [0, !Split [",", "a,b"]]]
"""


def plain(value: Any) -> Any:
    """Nested dicts and lists of the values (each reader has its own mapping and string classes)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def test_short_forms_are_read_as_their_long_forms(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(SHORT_FORMS)
    read = plain(load_template(path))
    assert read["Conditions"]["Prod"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    properties = read["Resources"]["Queue"]["Properties"]
    assert properties["QueueName"] == {"Fn::Sub": "${AWS::StackName}-jobs"}
    endpoint, size = (tag["Value"] for tag in properties["Tags"])
    assert endpoint == {"Fn::GetAtt": ["Database", "Endpoint.Address"]}
    assert size == {"Fn::If": ["Prod", "large", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}]}


def test_template_yaml_reads_as_cfn_lint_reads_it() -> None:
    from cfnlint.decode.cfn_yaml import load as load_cfn_yaml  # imported here: cfn-lint costs every worker a second

    assert plain(load_template(TEMPLATE)) == plain(load_cfn_yaml(str(TEMPLATE)))


def test_a_missing_template_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"template not found at .*absent\.yaml"):
        load_template(tmp_path / "absent.yaml")


def _mappings(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *(found for item in value.values() for found in _mappings(item))]
    if isinstance(value, list):
        return [found for item in value for found in _mappings(item)]
    return []


def test_every_mapping_of_the_template_is_a_plain_dict() -> None:
    """The handlers look functions up in the template on every invocation: an ordered-dict subclass that copies its
    pairs on each ``items()`` made that a measurable share of a run."""
    mappings = _mappings(load_template(TEMPLATE))
    assert len(mappings) > 100
    assert {type(mapping) for mapping in mappings} == {dict}
