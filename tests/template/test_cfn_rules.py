"""cfn-lint with the repository's rules (``cfn_rules/``) appended: each rule fails its fixture template with its own
rule ID, and template.yaml passes cfn-lint's rules and these with no error or warning. One cfn-lint run checks them
all (a start of cfn-lint costs seconds)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.template.conftest import ROOT, TEMPLATE, project_tool, run_tool

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RULES = ROOT / "cfn_rules"
# cfn-lint's parseable format: path:line:column:end line:end column:rule:message
PARSEABLE = re.compile(r"^(?P<path>[^:]+):\d+:\d+:\d+:\d+:(?P<rule>[EWI]\d{4}):")
# fixture → (rule ID, how many findings, a phrase of the message that says what to do)
EXPECTED = {
    "e9101_replica_of_managed_password.yaml": ("E9101", 1, "stack-owned AWS::SecretsManager::Secret"),
    "e9102_pinned_minor.yaml": ("E9102", 1, "Give the major version alone (16)"),
    "e9103_fixed_name.yaml": ("E9103", 2, "Derive it from the stack name"),
    "e9104_gp3_iops_below_400.yaml": ("E9104", 1, "leave Iops unset"),
    "e9104_io1_ratio.yaml": ("E9104", 1, "at most 50 IOPS per GiB"),
}


@dataclass(frozen=True)
class Findings:
    """What one cfn-lint run over template.yaml and every fixture found: (rule ID, line of output) per file."""

    returncode: int
    by_file: dict[Path, list[tuple[str, str]]]
    output: str

    def rules(self, path: Path) -> list[str]:
        return [rule for rule, _ in self.by_file.get(path.resolve(), [])]

    def text(self, path: Path) -> str:
        return "\n".join(line for _, line in self.by_file.get(path.resolve(), []))


@pytest.fixture(scope="module")
def findings() -> Findings:
    """cfn-lint once, with the repository's rules, over the template and the fixtures (one start of cfn-lint)."""
    files = [TEMPLATE, *(FIXTURES / name for name in sorted(EXPECTED))]
    result = run_tool([project_tool("cfn-lint"), *files, "--append-rules", RULES, "--format", "parseable"])
    by_file: dict[Path, list[tuple[str, str]]] = {}
    for line in result.stdout.splitlines():
        found = PARSEABLE.match(line)
        assert found, f"cfn-lint printed a line that is not a finding: {line!r}\n{result.stderr}"
        by_file.setdefault((ROOT / found["path"]).resolve(), []).append((found["rule"], line))
    return Findings(result.returncode, by_file, result.stdout + result.stderr)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_each_rule_fails_its_fixture(fixture: str, findings: Findings) -> None:
    rule, count, advice = EXPECTED[fixture]
    path = FIXTURES / fixture
    assert findings.returncode != 0, f"cfn-lint passed every file:\n{findings.output}"
    assert findings.rules(path) == [rule] * count, f"{fixture}: expected {count} x {rule}:\n{findings.output}"
    assert advice in findings.text(path)


def test_every_fixture_is_checked() -> None:
    assert {path.name for path in FIXTURES.glob("*.yaml")} == set(EXPECTED)


def test_the_template_passes_cfn_lint_and_the_rules_with_no_warnings(findings: Findings) -> None:
    assert findings.rules(TEMPLATE) == [], f"cfn-lint reported on template.yaml:\n{findings.text(TEMPLATE)}"
    assert findings.by_file, f"cfn-lint found nothing at all, not even in the fixtures:\n{findings.output}"
