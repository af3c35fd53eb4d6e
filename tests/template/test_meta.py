"""Meta-tests that hold the pieces together: seed settings, functions, ASL substitutions, environments."""

from __future__ import annotations

import importlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from autopilot.models.task_input import parse_task_input
from autopilot.ops_api.context import caller_arn, request_time
from autopilot_cli.template_model import function_ids

from tests.helpers.contracts import SUBSTITUTION_KEYS
from tests.template.conftest import ROOT

SETTINGS_START, SETTINGS_END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
# (parameter, how the seed states the value, the template's default). The default differs from the seed's
# figure only where the seed is wrong, and the table's note says so.
SEED_SETTINGS = [
    ("TaskCpu", "1024", "1024"),
    ("TaskMemory", "2048 MB", "2048"),
    ("WorkersPerTask", "4 uvicorn workers", "4"),
    ("MinCapacity", "3", "3"),
    ("MaxCapacity", "20", "20"),
    ("CapacityCeiling", "from 20 to 30", "30"),
    ("ScaleOutCooldownSeconds", "60 s", "60"),
    ("ScaleInCooldownSeconds", "180 s", "180"),
    ("TargetCpuPercent", "60 %", "60"),
    ("TargetRequestsPerTarget", "500 requests/min per task", "500"),
    ("TargetMemoryPercent", "80 %", "80"),
    ("EmergencyCpuPercent", "85 % CPU", "85"),
    ("DeregistrationDelaySeconds", "30 s", "30"),
    ("StickySessions", "Enabled", "true"),
    ("DbInstanceClass", "db.t3.medium", "db.t3.medium"),
    ("DbAllocatedStorage", "100 GB", "100"),
    ("DbMaxAllocatedStorage", "200 GB", "200"),
    ("DbIops", "3000 provisioned IOPS", "3000"),
    ("DbStorageType", "provisioned IOPS", "gp3"),
    ("DbConnectionBudget", "MAX_CONNECTIONS=100 per task", "300"),
]
SEED_IS_WRONG = {"DbStorageType", "DbConnectionBudget"}


def _settings_rows() -> dict[str, dict[str, str]]:
    """Parameter → its row (Setting, Default, Seed, Note) in README's settings tables."""
    readme = (ROOT / "README.md").read_text()
    assert SETTINGS_START in readme and SETTINGS_END in readme, "README.md lost its settings-table markers"
    section = readme.split(SETTINGS_START, 1)[1].split(SETTINGS_END, 1)[0]
    rows: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[1].startswith("`"):
            continue
        name = cells[1].strip("`")
        assert name not in rows, f"{name} appears twice in README's settings tables"
        rows[name] = {"setting": cells[0], "default": cells[2], "seed": cells[3], "note": cells[4]}
    return rows


def _shown_default(spec: dict[str, Any]) -> str:
    if "Default" not in spec:
        return "required"
    default = str(spec["Default"])
    return f"`{default}`" if default else '`""`'


def test_every_parameter_is_in_the_readme_tables_with_its_default(template: dict[str, Any]) -> None:
    rows = _settings_rows()
    parameters = template["Parameters"]
    missing = sorted(set(parameters) - set(rows))
    assert not missing, f"parameters missing from README's settings tables: {missing}"
    unknown = sorted(set(rows) - set(parameters))
    assert not unknown, f"README's settings tables list parameters the template does not have: {unknown}"
    wrong = {name: (rows[name]["default"], _shown_default(spec)) for name, spec in parameters.items()}
    assert {name: pair for name, pair in wrong.items() if pair[0] != pair[1]} == {}


@pytest.mark.parametrize(("parameter", "seed", "default"), SEED_SETTINGS)
def test_every_seed_setting_has_its_parameter_default_and_row(
    template: dict[str, Any], parameter: str, seed: str, default: str
) -> None:
    assert str(template["Parameters"][parameter].get("Default")) == default
    row = _settings_rows()[parameter]
    assert seed in row["seed"], f"README's row for {parameter} does not quote the seed ({seed!r})"
    if parameter in SEED_IS_WRONG:
        assert "the seed is wrong" in row["note"], f"README's row for {parameter} must say why the seed is wrong"


def test_fixed_seed_settings_are_in_the_template(template: dict[str, Any]) -> None:
    res = template["Resources"]
    lb_attributes = {a["Key"]: a["Value"] for a in res["LoadBalancer"]["Properties"]["LoadBalancerAttributes"]}
    assert lb_attributes["routing.http2.enabled"] == "true"
    tg = res["TargetGroup"]["Properties"]
    tg_attributes = {a["Key"]: a["Value"] for a in tg["TargetGroupAttributes"]}
    assert tg_attributes["deregistration_delay.timeout_seconds"] == {"Ref": "DeregistrationDelaySeconds"}
    assert tg_attributes["stickiness.enabled"] == {"Ref": "StickySessions"}
    assert tg["HealthCheckPath"] == "/healthz"
    derived = {"Fn::If": ["HasClusterName", {"Ref": "ClusterName"}, {"Fn::Sub": "${AWS::StackName}-cluster"}]}
    assert res["Cluster"]["Properties"]["ClusterName"] == derived
    assert res["Cluster"]["Properties"]["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]
    service = res["Service"]["Properties"]
    assert service["ServiceName"] == {
        "Fn::If": ["HasServiceName", {"Ref": "ServiceName"}, {"Fn::Sub": "${AWS::StackName}-service"}]
    }
    breaker = service["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
    assert (breaker["Enable"], breaker["Rollback"]) == (True, True)
    primary, replica = res["PrimaryDatabase"]["Properties"], res["ReplicaDatabase"]["Properties"]
    assert primary["DBInstanceIdentifier"] == {
        "Fn::If": ["HasDbInstanceIdentifier", {"Ref": "DbInstanceIdentifier"}, {"Fn::Sub": "${AWS::StackName}-db"}]
    }
    assert replica["DBInstanceIdentifier"] == {"Fn::Sub": "${PrimaryDatabase}-replica"}
    assert replica["SourceDBInstanceIdentifier"] == {"Ref": "PrimaryDatabase"}
    for props in (primary, replica):
        assert props["EnablePerformanceInsights"] is True
        assert props["DBInstanceClass"] == {"Ref": "DbInstanceClass"}
    assert primary["StorageEncrypted"] is True and "ManageMasterUserPassword" not in primary
    assert primary["MasterUserPassword"] == {
        "Fn::Sub": "{{resolve:secretsmanager:${DatabaseSecret}:SecretString:password}}"
    }
    assert primary["DeletionProtection"] == {"Fn::If": ["IsProd", True, False]}


def _samconfig() -> dict[str, dict[str, str]]:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    environments = {}
    for name in ("default", "prod"):
        assert config[name]["global"]["parameters"]["region"] == "us-east-2"
        overrides = config[name]["deploy"]["parameters"]["parameter_overrides"]
        environments[name] = dict(item.split("=", 1) for item in overrides)
    return environments


def test_samconfig_overrides_are_valid_parameters(template: dict[str, Any]) -> None:
    for env, overrides in _samconfig().items():
        for name, value in overrides.items():
            assert name in template["Parameters"], f"samconfig [{env}] sets {name}, which the template does not have"
            allowed = template["Parameters"][name].get("AllowedValues")
            assert allowed is None or value in [str(v) for v in allowed], f"[{env}] {name}={value} not in {allowed}"


def test_dev_is_small_and_dry_run_and_prod_is_the_seed_enforcing(template: dict[str, Any]) -> None:
    environments = _samconfig()
    dev, prod = environments["default"], environments["prod"]
    assert (dev["DryRun"], dev["Environment"]) == ("true", "dev")
    assert int(dev["MaxCapacity"]) < 20 and int(dev["TaskCpu"]) < 1024
    assert (prod["DryRun"], prod["Environment"]) == ("false", "prod")
    for parameter, _seed, default in SEED_SETTINGS:
        assert prod.get(parameter, str(template["Parameters"][parameter]["Default"])) == default, parameter
    seed_names = {"ClusterName": "sensor-app-cluster", "ServiceName": "sensor-app-service"}
    assert {name: prod.get(name) for name in seed_names} == seed_names
    assert prod.get("DbInstanceIdentifier") == "sensor-postgres-high-perf"
    assert not {"ClusterName", "ServiceName", "DbInstanceIdentifier"} & set(dev), "dev takes names from its stack name"


@pytest.fixture(scope="module")
def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ids = function_ids(template)
    assert ids, "template.yaml declares no function"
    return {name: template["Resources"][name] for name in ids}


def test_every_function_has_a_handler_module(functions: dict[str, dict[str, Any]]) -> None:
    for name, resource in functions.items():
        module_name, _, attribute = resource["Properties"]["Handler"].rpartition(".")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attribute, None)), f"{name}: {module_name} has no callable {attribute}"


def test_every_function_has_a_sample_event_its_input_parser_accepts(functions: dict[str, dict[str, Any]]) -> None:
    for name, resource in functions.items():
        sample = resource.get("Metadata", {}).get("SampleEvent")
        assert sample, f"{name} names no SampleEvent in its Metadata"
        path = ROOT / sample
        assert path.is_file(), f"{name}: sample event {sample} does not exist"
        event = json.loads(path.read_text())
        if resource["Properties"]["Handler"] == "autopilot.handlers.ops_api.handler":
            assert caller_arn(event) and request_time(event), f"{name}: {sample} is not an IAM-authorised API event"
        else:
            parse_task_input(event)


def test_every_function_has_its_own_powertools_service_name(functions: dict[str, dict[str, Any]]) -> None:
    names = {
        name: resource["Properties"].get("Environment", {}).get("Variables", {}).get("POWERTOOLS_SERVICE_NAME")
        for name, resource in functions.items()
    }
    assert all(names.values()), f"functions without POWERTOOLS_SERVICE_NAME: {[n for n, v in names.items() if not v]}"
    assert len(set(names.values())) == len(names), f"functions share a service name: {names}"


def _state_machines(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: res["Properties"]
        for name, res in template["Resources"].items()
        if res["Type"] == "AWS::Serverless::StateMachine"
    }


def test_every_asl_placeholder_has_a_substitution_and_none_is_unused(template: dict[str, Any]) -> None:
    files = sorted((ROOT / "statemachines").glob("*.asl.json"))
    assert files, "no statemachines/*.asl.json"
    machines = _state_machines(template)
    used = {Path(props["DefinitionUri"]).name for props in machines.values()}
    assert {path.name for path in files} == used, "every ASL file must be the definition of a state machine"
    for name, props in machines.items():
        text = (ROOT / props["DefinitionUri"]).read_text()
        placeholders = set(re.findall(r"\$\{([^}]+)\}", text))
        substitutions = set(props.get("DefinitionSubstitutions", {}))
        assert placeholders - substitutions == set(), f"{name}: placeholders without a substitution"
        assert substitutions - placeholders == set(), f"{name}: substitutions the definition does not use"
        assert substitutions == SUBSTITUTION_KEYS, f"{name}: substitutions differ from the contract"


def test_asl_files_hold_no_arn(template: dict[str, Any]) -> None:
    for path in (ROOT / "statemachines").glob("*.asl.json"):
        arns = re.findall(r"arn:[^\"]*", path.read_text())
        foreign = [arn for arn in arns if not arn.startswith("arn:aws:states:::")]
        assert not foreign, f"{path.name} has ARNs inside (wire them through DefinitionSubstitutions): {foreign}"


def _makefile_value(name: str) -> str:
    found = re.search(rf"^{name} := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert found, f"the Makefile sets no {name}"
    return found[1].strip()


@pytest.mark.parametrize(("marker", "variable"), [("iam_audit", "IAM_AUDIT_TESTS"), ("load", "LOAD_TESTS")])
def test_tests_run_apart_by_make_test_live_where_it_looks_for_them(marker: str, variable: str) -> None:
    """make test leaves these markers out of its main run and collects only the Makefile's path for them: a test
    marked elsewhere would run nowhere."""
    home = ROOT / _makefile_value(variable)
    uses = re.compile(rf"pytest\.mark\.{marker}\b")
    marked = {path for path in (ROOT / "tests").rglob("*.py") if uses.search(path.read_text(encoding="utf-8"))}
    assert marked, f"no test is marked {marker}"
    outside = sorted(str(p.relative_to(ROOT)) for p in marked if p != home and home not in p.parents)
    assert outside == [], f"{marker} tests outside {home.relative_to(ROOT)}: {outside}"


@pytest.mark.parametrize("variable", ["IAM_AUDIT_TESTS", "LOAD_TESTS"])
def test_the_runs_without_property_plugins_hold_no_property_based_test(variable: str) -> None:
    """make test runs these without hypothesis's and schemathesis's pytest plugins (WITHOUT_PROPERTY_PLUGINS)."""
    assert _makefile_value("WITHOUT_PROPERTY_PLUGINS") == "-p no:hypothesispytest -p no:schemathesis"
    home = ROOT / _makefile_value(variable)
    files = [home] if home.is_file() else sorted(home.rglob("*.py"))
    assert files, f"nothing at {home}"
    using = [str(p.relative_to(ROOT)) for p in files if re.search(r"\b(hypothesis|schemathesis)\b", p.read_text())]
    assert using == [], f"property-based tests in a run without their plugins: {using}"
