"""The repository's cfn-lint rules (``cfn_rules/``): each fails its fixture template with its own rule ID, and
template.yaml passes all of them (``test_gates`` runs cfn-lint with them appended)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.template.conftest import ROOT, TEMPLATE, project_tool, run_tool

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RULES = ROOT / "cfn_rules"
# fixture → (rule ID, how many findings, a phrase of the message that says what to do)
EXPECTED = {
    "e9101_replica_of_managed_password.yaml": ("E9101", 1, "stack-owned AWS::SecretsManager::Secret"),
    "e9102_pinned_minor.yaml": ("E9102", 1, "Give the major version alone (16)"),
    "e9103_fixed_name.yaml": ("E9103", 2, "Derive it from the stack name"),
    "e9104_gp3_iops_below_400.yaml": ("E9104", 1, "leave Iops unset"),
    "e9104_io1_ratio.yaml": ("E9104", 1, "at most 50 IOPS per GiB"),
}


def lint(path: Path) -> tuple[int, list[str], str]:
    result = run_tool([project_tool("cfn-lint"), path, "--append-rules", RULES])
    return result.returncode, re.findall(r"^([EW]\d{4}) ", result.stdout, flags=re.MULTILINE), result.stdout


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_each_rule_fails_its_fixture(fixture: str) -> None:
    rule, count, advice = EXPECTED[fixture]
    code, found, output = lint(FIXTURES / fixture)
    assert code != 0, f"cfn-lint passed {fixture}:\n{output}"
    assert found == [rule] * count, f"{fixture}: expected {count} x {rule}, got {found}:\n{output}"
    assert advice in output


def test_every_fixture_is_checked() -> None:
    assert {path.name for path in FIXTURES.glob("*.yaml")} == set(EXPECTED)


def test_the_template_passes_the_rules() -> None:
    code, found, output = lint(TEMPLATE)
    assert code == 0 and not found, f"template.yaml breaks the repository's cfn-lint rules:\n{output}"
