"""``autopilot cost``: the report of the stack boto3 points at, as JSON, Markdown and a PNG chart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
import typer
from autopilot_cli import cost_command
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.main import app
from autopilot_cli.template_model import function_environment
from typer.testing import CliRunner

HAND_COMPUTED_MONTHLY = 258.51
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def within_one_percent(total: float) -> bool:
    return abs(total - HAND_COMPUTED_MONTHLY) / HAND_COMPUTED_MONTHLY < 0.01


def test_cost_json_total_is_within_1_percent_of_the_hand_computation(
    stack: EmbeddedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    cost_command.cost(format="json", aws=True)
    report = json.loads(capsys.readouterr().out)
    assert within_one_percent(report["monthly_total_usd"])
    assert report["control_plane"]["monthly_usd"] < 5
    assert report["total_includes"][0].startswith("ECS Fargate tasks")


def test_cost_prints_and_changes_nothing(stack: EmbeddedStack, capsys: pytest.CaptureFixture[str]) -> None:
    cost_command.cost(format="md", aws=True)
    assert "**Workload now: $258.51/month**" in capsys.readouterr().out
    s3 = boto3.client("s3", region_name=stack.region)
    assert s3.list_objects_v2(Bucket=stack.bucket).get("KeyCount") == 0


def test_registered_command_runs_through_the_cli(stack: EmbeddedStack) -> None:
    result = CliRunner().invoke(app, ["cost", "--format", "json", "--aws"])
    assert result.exit_code == 0, result.output
    assert within_one_percent(json.loads(result.stdout)["monthly_total_usd"])


def test_chart_is_a_png_of_the_scenarios(
    stack: EmbeddedStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "cost.png"
    cost_command.cost(format="md", aws=True, chart=chart)
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    assert chart.stat().st_size > 10_000
    assert f"chart written to {chart}" in capsys.readouterr().err.replace("\n", "")


@pytest.mark.parametrize("chart", ["cost.svg", "missing-dir/cost.png"])
def test_a_bad_chart_path_is_refused_before_anything_is_read_or_written(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], chart: str
) -> None:
    target = tmp_path / chart
    with pytest.raises(typer.Exit) as exit_info:
        cost_command.cost(format="md", aws=True, chart=target)
    assert exit_info.value.exit_code == 2
    assert not target.exists()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(target) in captured.err.replace("\n", "")


def test_an_unknown_format_is_refused_with_the_choices(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exit_info:
        cost_command.cost(format="yaml", aws=True)
    assert exit_info.value.exit_code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "json, md" in captured.err


def test_an_account_without_the_cluster_exits_non_zero_with_the_setting_to_fix(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit) as exit_info:
        cost_command.cost(format="json", aws=True)
    assert exit_info.value.exit_code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "CLUSTER_NAME" in captured.err.replace("\n", " ")


def test_default_runs_inside_the_embedded_aws_session(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    entered: list[bool] = []

    @contextmanager
    def embedded_here() -> Iterator[None]:
        entered.append(True)
        yield

    monkeypatch.setattr("autopilot_cli.embedded.session.embedded_aws", embedded_here)
    cost_command.cost(format="json")
    assert entered == [True]
    assert within_one_percent(json.loads(capsys.readouterr().out)["monthly_total_usd"])


def test_render_cost_report_applies_the_function_environment(stack: EmbeddedStack) -> None:
    env = function_environment(stack.resolver, "CostReportFunction") | {"ALB_LCU_ESTIMATE": "2"}
    text = cost_command.render_cost_report(env, "json")
    assert json.loads(text)["monthly_total_usd"] == round(HAND_COMPUTED_MONTHLY + 0.008 * 730, 2)
