"""template.yaml transformed by the SAM translator (what CloudFormation deploys), without any AWS call."""

from __future__ import annotations

import copy
import json
import os
from functools import lru_cache
from typing import Any

from autopilot_cli.template_model import load_template
from samtranslator.translator.transform import transform

from tests.template.conftest import REGION, ROOT, TEMPLATE

CODE_BUCKET = "sam-artifacts"
CODE_KEY = "functions.zip"


class _NoManagedPolicies:
    """The translator asks IAM for managed policy names only when a template uses them by name; ours does not."""

    def load(self) -> dict[str, str]:
        return {}


def _local_paths_to_deployable(template: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` does: code to S3 (a stand-in object), state machine definitions inlined."""
    template["Globals"]["Function"]["CodeUri"] = f"s3://{CODE_BUCKET}/{CODE_KEY}"
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function" and "CodeUri" in props:
            props["CodeUri"] = f"s3://{CODE_BUCKET}/{CODE_KEY}"
        if resource["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in props:
            props["Definition"] = json.loads((ROOT / props.pop("DefinitionUri")).read_text())
    return template


@lru_cache(maxsize=1)
def _transformed_json() -> str:
    template = _local_paths_to_deployable(json.loads(json.dumps(load_template(TEMPLATE))))
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION  # the translator reads the region for its ARNs
    try:
        return json.dumps(transform(template, {}, _NoManagedPolicies()))
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous


def transformed_template() -> dict[str, Any]:
    """A fresh copy of the transformed template (plain CloudFormation, intrinsics unresolved)."""
    return copy.deepcopy(json.loads(_transformed_json()))
