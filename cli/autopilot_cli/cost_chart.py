"""The cost report's scenarios as a stacked bar chart (PNG, matplotlib's Agg renderer, no display needed)."""

from __future__ import annotations

from pathlib import Path

from autopilot.logic.cost_markdown import CATEGORY_LABELS
from autopilot.logic.cost_seed import SEED_QUOTED_TOTAL
from autopilot.models.cost import CostReport

COLOURS = ["#4C72B0", "#55A868", "#8172B2", "#CCB974", "#C44E52"]


class ChartError(ValueError):
    """The chart cannot be written where asked; nothing was written."""


def check_chart_path(path: Path) -> Path:
    """A ``.png`` file in an existing directory, or a :class:`ChartError` that says what to change."""
    if path.suffix.lower() != ".png":
        raise ChartError(f"--chart {path}: the chart is a PNG; give a file name ending in .png")
    if not path.parent.is_dir():
        raise ChartError(f"--chart {path}: directory {path.parent} does not exist; create it or choose another")
    if path.is_dir():
        raise ChartError(f"--chart {path}: that is a directory; give a file name ending in .png")
    return path


def seed_bar(report: CostReport) -> tuple[str, dict[str, float]]:
    """The guide's own configuration priced from the table, by category: what its ~$135 is set against."""
    seed = report.seed_check
    return f"the guide's config ({seed.guide_tasks} tasks), priced", seed.by_category


def draw_cost_chart(report: CostReport, path: Path) -> Path:
    """Monthly cost per scenario, stacked by category; beside them the guide's own configuration priced from the
    table, with the guide's figure for that configuration as a line (like is compared with like)."""
    target = check_chart_path(path)
    # matplotlib is imported here, by the one command that draws (it takes most of a second to import).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    seed_label, seed_values = seed_bar(report)
    labels = [scenario.label for scenario in report.scenarios] + [seed_label]
    columns = [scenario.by_category for scenario in report.scenarios] + [seed_values]
    bottoms = [0.0] * len(labels)
    for colour, (category, name) in zip(COLOURS, CATEGORY_LABELS.items(), strict=True):
        values = [column.get(category, 0.0) for column in columns]
        axes.bar(labels, values, bottom=bottoms, label=name, color=colour)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    totals = [s.monthly_usd for s in report.scenarios] + [report.seed_check.honest_total_usd]
    for index, value in enumerate(totals):
        axes.annotate(
            f"${value:,.2f}", (index, value), ha="center", va="bottom", xytext=(0, 3), textcoords="offset points"
        )
    guide = len(labels) - 1  # the line stands over the bar of the same configuration only
    axes.hlines(
        SEED_QUOTED_TOTAL,
        guide - 0.45,
        guide + 0.45,
        colors="black",
        linestyles="--",
        linewidth=1.5,
        label=f"the guide's own figure for that configuration: ~${SEED_QUOTED_TOTAL:,.0f}",
    )
    axes.set_ylabel("USD per month (730 h, on-demand)")
    axes.set_title(
        f"Workload cost, {report.region}, {report.generated_at:%Y-%m-%d} "
        f"(control plane apart: ${report.control_plane.monthly_usd:,.2f})",
        fontsize=10,
    )
    axes.tick_params(axis="x", labelsize=8)
    axes.set_ylim(0, max([*bottoms, SEED_QUOTED_TOTAL]) * 1.15)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8)
    figure.tight_layout()
    figure.savefig(target, format="png")
    return target
