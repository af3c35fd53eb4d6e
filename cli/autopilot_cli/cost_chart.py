"""The cost report's scenarios as a stacked bar chart (PNG, matplotlib's Agg renderer, no display needed)."""

from __future__ import annotations

from pathlib import Path

from autopilot.logic.cost_markdown import CATEGORY_LABELS
from autopilot.logic.cost_seed import SEED_QUOTED_TOTAL
from autopilot.models.cost import CostReport
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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


def draw_cost_chart(report: CostReport, path: Path) -> Path:
    """Monthly cost per scenario, stacked by category, with the seed guide's figure for comparison."""
    target = check_chart_path(path)
    figure = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [scenario.label for scenario in report.scenarios]
    bottoms = [0.0] * len(report.scenarios)
    for colour, (category, name) in zip(COLOURS, CATEGORY_LABELS.items(), strict=True):
        values = [scenario.by_category.get(category, 0.0) for scenario in report.scenarios]
        axes.bar(labels, values, bottom=bottoms, label=name, color=colour)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for index, scenario in enumerate(report.scenarios):
        axes.annotate(
            f"${scenario.monthly_usd:,.2f}",
            (index, scenario.monthly_usd),
            ha="center",
            va="bottom",
            xytext=(0, 3),
            textcoords="offset points",
        )
    axes.axhline(SEED_QUOTED_TOTAL, color="grey", linestyle="--", linewidth=1, label="scaling guide: ~$135")
    axes.set_ylabel("USD per month (730 h, on-demand)")
    axes.set_title(
        f"Workload cost, {report.region}, {report.generated_at:%Y-%m-%d} "
        f"(control plane apart: ${report.control_plane.monthly_usd:,.2f})",
        fontsize=10,
    )
    axes.set_ylim(0, max([*bottoms, SEED_QUOTED_TOTAL]) * 1.15)
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(target, format="png")
    return target
