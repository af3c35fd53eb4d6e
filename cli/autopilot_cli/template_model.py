"""Read ``template.yaml`` (the single source of truth) and resolve the intrinsics the CLI needs.

Only what a local run needs is resolved: ``Ref``, ``Fn::Sub``, ``Fn::GetAtt``, ``Fn::If`` on parameters, pseudo
parameters, and resources whose physical IDs the caller supplies (the embedded stack knows them).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from cfn_tools.yaml_loader import construct_mapping, multi_constructor

# The project's files ship inside the package (autopilot_cli/project/: template.yaml, statemachines/, events/,
# bench/results/service.json, each a link to the repository's own that a wheel build copies in), so the CLI reads
# the same files from a checkout and from an installed wheel. This variable points it at another template.yaml
# (its statemachines/ and events/ beside it).
TEMPLATE_ENV = "AUTOPILOT_TEMPLATE"
_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


class _TemplateLoader(yaml.CSafeLoader):
    """YAML with CloudFormation's short forms (``!Ref``, ``!Sub``, ``!GetAtt a.b``...) read as their long forms
    (``{"Ref": ...}``, ``{"Fn::Sub": ...}``, ``{"Fn::GetAtt": ["a", "b"]}``): cfn-flip's constructors on libyaml's
    parser. (cfn-lint's reader gives the same, but importing cfn-lint costs every command about two seconds.)"""


_TemplateLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
_TemplateLoader.add_multi_constructor("!", multi_constructor)


class TemplateError(Exception):
    """The template lacks something a local run needs; the message names it."""


def project_dir() -> Path:
    """The directory holding template.yaml, statemachines/ and events/: ``AUTOPILOT_TEMPLATE``'s, or the package's."""
    explicit = os.environ.get(TEMPLATE_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise TemplateError(
                f"{TEMPLATE_ENV}={explicit}: no such file; point it at a template.yaml (statemachines/ and events/ "
                "beside it) or unset it to use the one installed with the autopilot"
            )
        return path.resolve().parent
    packaged = Path(str(resources.files("autopilot_cli").joinpath("project")))
    if not (packaged / "template.yaml").is_file():
        raise TemplateError(
            f"template.yaml is not in this installation ({packaged}); reinstall the autopilot package or set "
            f"{TEMPLATE_ENV} to the template.yaml of a checkout"
        )
    return packaged


def template_path() -> Path:
    return project_dir() / "template.yaml"


def events_dir() -> Path:
    """The sample events (``autopilot invoke -e`` and the demo)."""
    return project_dir() / "events"


def _plain(node: Any) -> Any:
    """cfn-flip's ordered mappings as plain dicts (ordered too): its ``items()`` copies every pair on each call, and
    the handlers' lookups walk the template's resources on every invocation."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise TemplateError(f"template not found at {path}; set {TEMPLATE_ENV} to a template.yaml")
    with path.open(encoding="utf-8") as stream:
        loaded = yaml.load(stream, Loader=_TemplateLoader)  # a safe loader, plus CloudFormation's tags
    return _plain(loaded)  # type: ignore[no-any-return]


def load_template(path: Path | None = None) -> dict[str, Any]:
    """The template at ``path``, by default the project's (see :func:`project_dir`); read once per path."""
    return _load(path if path is not None else template_path())


def parameter_defaults(template: dict[str, Any]) -> dict[str, str]:
    return {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}


@dataclass
class Resolver:
    """Resolves intrinsics against parameter values, pseudo parameters and known physical IDs."""

    template: dict[str, Any]
    stack_name: str = "sensor-autopilot"
    region: str = "us-east-2"
    account: str = "123456789012"
    parameters: dict[str, str] = field(default_factory=dict)
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parameters = {**parameter_defaults(self.template), **self.parameters}

    def _pseudo(self) -> dict[str, str]:
        return {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def ref(self, name: str) -> str:
        for table in (self._pseudo(), self.parameters, self.physical_ids):
            if name in table:
                return table[name]
        raise TemplateError(f"cannot resolve Ref {name!r} locally: no parameter or known resource by that name")

    def get_att(self, resource: str, attribute: str) -> str:
        key = f"{resource}.{attribute}"
        if key in self.attributes:
            return self.attributes[key]
        raise TemplateError(f"cannot resolve Fn::GetAtt {key} locally")

    def sub(self, text: str, extra: dict[str, Any] | None = None) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if extra and name in extra:
                return str(self.resolve(extra[name]))
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return self.get_att(resource, attribute)
            return self.ref(name)

        return _SUB_VAR.sub(replace, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(str(arg))
            if key == "Fn::Sub":
                return self.sub(arg) if isinstance(arg, str) else self.sub(str(arg[0]), dict(arg[1]))
            if key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else list(arg)
                return self.get_att(str(parts[0]), str(parts[1]))
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def function_ids(template: dict[str, Any]) -> list[str]:
    return [
        name for name, res in template.get("Resources", {}).items() if res.get("Type") == "AWS::Serverless::Function"
    ]


def function_handler(template: dict[str, Any], logical_id: str) -> str:
    functions = function_ids(template)
    if logical_id not in functions:
        raise TemplateError(f"no function {logical_id!r} in template.yaml; functions are: {', '.join(functions)}")
    handler = template["Resources"][logical_id]["Properties"].get("Handler")
    if not handler:
        raise TemplateError(f"function {logical_id} has no Handler in template.yaml")
    return str(handler)


def function_variables(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The names and (unresolved) values of the variables the template sets for a function: Globals + its own."""
    function_handler(template, logical_id)  # validates the name
    global_vars = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    props = template["Resources"][logical_id]["Properties"]
    own_vars = props.get("Environment", {}).get("Variables", {})
    return {**dict(global_vars), **dict(own_vars)}


def function_environment(resolver: Resolver, logical_id: str) -> dict[str, str]:
    """Globals' variables overlaid with the function's own, all resolved to strings."""
    merged = function_variables(resolver.template, logical_id)
    return {name: str(resolver.resolve(value)) for name, value in merged.items()}


def deployed_function_environment(resolver: Resolver, logical_id: str, given: Mapping[str, str]) -> dict[str, str]:
    """A function's environment for a deployed stack: each variable from ``given`` (the caller's environment) when
    set there, else resolved from the template; a name that only the deployed stack knows must be given."""
    missing, env = [], {}
    for name, value in function_variables(resolver.template, logical_id).items():
        if name in given:
            env[name] = given[name]
            continue
        try:
            env[name] = str(resolver.resolve(value))
        except TemplateError:
            missing.append(name)
    if missing:
        raise TemplateError(
            f"{logical_id} needs {', '.join(missing)} from the deployed stack: export them (see the stack's resources "
            "or outputs, e.g. aws cloudformation describe-stack-resources)"
        )
    return env


def stack_environment(resolver: Resolver) -> dict[str, str]:
    """Every function's environment merged (what a process hosting several handlers needs), without the
    per-function service name."""
    merged: dict[str, str] = {}
    for logical_id in function_ids(resolver.template):
        merged.update(function_environment(resolver, logical_id))
    merged.pop("POWERTOOLS_SERVICE_NAME", None)
    return merged


def function_settings(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """Memory, timeout and name of a function (for a realistic LambdaContext)."""
    glob = template.get("Globals", {}).get("Function", {})
    props = template["Resources"][logical_id]["Properties"]
    return {
        "memory": int(props.get("MemorySize", glob.get("MemorySize", 128))),
        "timeout": int(props.get("Timeout", glob.get("Timeout", 3))),
    }
