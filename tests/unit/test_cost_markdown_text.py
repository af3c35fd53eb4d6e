"""The cost report's Markdown, word for word, for a stack with an active and an expired floor lease; and the
summary message that links to it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from autopilot.logic.cost_markdown import render_markdown, summary_message

from tests.unit.test_cost_report import make_lease, report

GOLDEN = Path(__file__).with_name("cost-report.golden.md")


def test_the_report_reads_as_committed() -> None:
    text = render_markdown(report(leases=[make_lease(timedelta(minutes=50)), make_lease(timedelta(minutes=-5))]))
    assert text == GOLDEN.read_text(encoding="utf-8"), f"the cost report's text changed; if intended, update {GOLDEN}"


def test_the_summary_message_names_the_totals_the_savings_and_the_link() -> None:
    subject, body = summary_message(report(), ["s3://bucket/report.md", "s3://bucket/report.json"])
    assert subject == "Cost report 2026-07-01: $258.51/month (workload)"
    assert body == (
        "Cost report for sensor-app-cluster/sensor-app-service, us-east-2, 2026-07-01 06:00 UTC. Nothing was changed."
        "\n\nWorkload now: $258.51/month (3 tasks). At min capacity (3 tasks): $258.51. At max capacity (20 tasks): "
        "$871.19.\nControl plane (not in the total): about $0.04/month.\nMonth to date: n/a. Cost Explorer is off."
        "\n\nSavings:\n- Pool connections from a budget instead of raising max_connections: $740.22/month\n- Run the "
        "tasks on Graviton (ARM64): $21.62/month\n- Graviton (db.t4g) database instances: $10.22/month\n\nSeed check: "
        "the scaling guide says ~$135.00/month for its 3-task configuration; priced from the table the same "
        "configuration is $258.51 (task memory, PostgreSQL rate, replica, storage and ALB).\n\nFull report: "
        "s3://bucket/report.md\nFull report: s3://bucket/report.json\n"
    )
