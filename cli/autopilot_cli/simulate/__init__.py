"""``autopilot simulate``: load through CloudWatch, Application Auto Scaling and the real control plane.

:func:`simulate` runs a profile for each strategy and returns a :class:`Comparison`;
:func:`comparison_table` renders it for the terminal, :func:`write_outputs` writes JSON, Markdown and a PNG.
"""

from autopilot_cli.simulate.report import comparison_table, timeline_table, write_outputs
from autopilot_cli.simulate.session import Comparison, simulate

__all__ = ["Comparison", "comparison_table", "simulate", "timeline_table", "write_outputs"]
