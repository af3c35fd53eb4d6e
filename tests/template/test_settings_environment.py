"""Every environment variable the template sets for a function is a field of that function's settings class.

pydantic-settings ignores a variable it has no field for, so a misspelt name in the template would silently leave
the default in force; this test makes it fail loudly instead. The settings class of a function is the one its
handler module reads (the ``get_*_settings`` it imports); variables named ``POWERTOOLS_*`` are Powertools' own.
"""

from __future__ import annotations

import ast
import importlib
from typing import Any

import pytest
from autopilot_cli.template_model import function_ids, function_variables, load_template
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from tests.template.conftest import ROOT

HANDLERS = ROOT / "functions" / "autopilot" / "handlers"
READ_BY_POWERTOOLS = "POWERTOOLS_"


def settings_getters(module: str) -> set[str]:
    """The ``get_*_settings`` functions a handler module imports from ``autopilot.settings``."""
    path = HANDLERS / f"{module.rsplit('.', 1)[-1]}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"{node.module}:{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autopilot.settings")
        for alias in node.names
        if alias.name.startswith("get_") and alias.name.endswith("_settings")
    }


def settings_class(handler: str) -> type[BaseSettings]:
    """The settings class the handler reads (exactly one; the most derived when it reads several)."""
    module = handler.rsplit(".", 1)[0]
    classes = []
    for getter in sorted(settings_getters(module)):
        module_name, function = getter.split(":")
        returned = importlib.import_module(module_name).__dict__[function].__wrapped__.__annotations__["return"]
        classes.append(getattr(importlib.import_module(module_name), returned))
    assert classes, f"{module} reads no settings class (no get_*_settings import)"
    most_derived = [c for c in classes if all(issubclass(c, other) for other in classes)]
    assert most_derived, f"{module} reads unrelated settings classes {classes}: give it one"
    return most_derived[0]


def accepted_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variable names the settings class reads (its prefix + field names, or their aliases)."""
    config = settings.model_config
    prefix = str(config.get("env_prefix", ""))
    names: set[str] = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        else:
            names.add(f"{prefix}{name}")
    return names if config.get("case_sensitive") else {n.upper() for n in names}


def unknown_variables(template: dict[str, Any], logical_id: str) -> list[str]:
    """The variables the template sets for the function that its settings class would ignore."""
    handler = template["Resources"][logical_id]["Properties"]["Handler"]
    accepted = accepted_names(settings_class(handler))
    return sorted(
        name
        for name in function_variables(template, logical_id)
        if not name.startswith(READ_BY_POWERTOOLS) and name.upper() not in accepted
    )


@pytest.mark.parametrize("logical_id", function_ids(load_template()))
def test_every_variable_the_template_sets_is_a_setting_of_the_function(logical_id: str) -> None:
    template = load_template()
    unknown = unknown_variables(template, logical_id)
    handler = template["Resources"][logical_id]["Properties"]["Handler"]
    assert not unknown, (
        f"template.yaml sets {', '.join(unknown)} for {logical_id}, but {settings_class(handler).__name__} has no such "
        "field (a misspelt name is ignored and the default applies): fix the name or add the field"
    )


# A function whose template sets a variable its settings do not have (HEADROM for HEADROOM): the settings would
# ignore it and fall back to the default.
MISSPELT = {
    "Globals": {"Function": {"Environment": {"Variables": {"POWERTOOLS_LOG_LEVEL": "INFO", "STATE_TABLE_NAME": "t"}}}},
    "Resources": {
        "EmergencyScaleFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Handler": "autopilot.handlers.emergency_scale.handler",
                "Environment": {"Variables": {"TARGET_CPU_PERCENT": "60", "HEADROM": "1.5"}},
            },
        }
    },
}


def test_a_misspelt_variable_is_caught() -> None:
    assert unknown_variables(MISSPELT, "EmergencyScaleFunction") == ["HEADROM"]


def test_each_handler_maps_to_its_settings_class() -> None:
    assert settings_class("autopilot.handlers.emergency_scale.handler").__name__ == "ScalingSettings"
    assert settings_class("autopilot.handlers.cost_report.handler").__name__ == "CostSettings"
    assert settings_class("autopilot.handlers.ops_api.handler").__name__ == "OpsSettings"
    assert "HEADROOM" in accepted_names(settings_class("autopilot.handlers.emergency_scale.handler"))
