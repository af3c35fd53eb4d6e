"""The template's gates: sam validate --lint and checkov pass; every checkov skip is justified. (cfn-lint, with the
repository's rules: ``test_cfn_rules``.)"""

from __future__ import annotations

import json
from typing import Any

from tests.template.conftest import REGION, TEMPLATE, find_tool, run_tool

MIN_JUSTIFICATION = 30  # characters: a reason, not a placeholder


def test_sam_validate_lint_passes() -> None:
    sam = find_tool("sam", ".venv-sam")
    result = run_tool([sam, "validate", "--lint", "--region", REGION, "--template-file", TEMPLATE])
    assert result.returncode == 0, f"sam validate --lint failed:\n{result.stdout}\n{result.stderr}"
    assert "is a valid SAM Template" in result.stdout + result.stderr


def _checkov_results() -> dict[str, Any]:
    checkov = find_tool("checkov", ".venv-checkov")
    result = run_tool(
        [checkov, "--file", TEMPLATE, "--framework", "cloudformation", "--output", "json", "--skip-download"],
        BC_SKIP_MAPPING="TRUE",
    )
    assert result.stdout.strip(), f"checkov printed nothing:\n{result.stderr}"
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert reports, "checkov produced no report"
    merged: dict[str, Any] = {"passed_checks": [], "failed_checks": [], "skipped_checks": [], "parsing_errors": []}
    for one in reports:
        assert not one.get("summary", {}).get("parsing_errors"), f"checkov could not parse the template: {one}"
        for key in merged:
            merged[key] += one.get("results", {}).get(key, [])
    return merged


def test_checkov_passes_and_every_skip_carries_its_reason() -> None:
    results = _checkov_results()
    failed = [f"{check['check_id']} on {check['resource']}" for check in results["failed_checks"]]
    assert not failed, "checkov failed (fix it, or skip it in the resource's Metadata with a reason): " + ", ".join(
        failed
    )
    assert results["passed_checks"], "checkov passed no check: did it read the template?"
    unjustified = [
        f"{check['check_id']} on {check['resource']}"
        for check in results["skipped_checks"]
        if len(str(check.get("check_result", {}).get("suppress_comment", "")).strip()) < MIN_JUSTIFICATION
    ]
    assert not unjustified, "checkov skips without a real justification: " + ", ".join(unjustified)


def test_every_checkov_skip_in_the_template_names_a_check_and_a_reason(template: dict[str, Any]) -> None:
    skips = [
        (name, skip)
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips, "the template has no checkov skip: then this test and the Metadata convention can go"
    bad = [
        name
        for name, skip in skips
        if not str(skip.get("id", "")).startswith("CKV") or len(str(skip.get("comment", ""))) < MIN_JUSTIFICATION
    ]
    assert not bad, f"checkov skips without an id or a reason in: {sorted(set(bad))}"
