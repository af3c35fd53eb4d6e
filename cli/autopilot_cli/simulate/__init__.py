"""``autopilot simulate``: load through CloudWatch, Application Auto Scaling and the real control plane.

:func:`simulate` runs a profile for each strategy and returns a :class:`Comparison`;
:func:`comparison_table` renders it for the terminal, :func:`write_outputs` writes JSON, Markdown and a PNG.
:func:`demo_renderable` runs the seed profile and the flash crowd (native vs autopilot) for the demo.
"""

from autopilot_cli.simulate.report import comparison_table, timeline_table, write_outputs
from autopilot_cli.simulate.session import Comparison, simulate
from autopilot_cli.simulate.showcase import demo_renderable

__all__ = ["Comparison", "comparison_table", "demo_renderable", "simulate", "timeline_table", "write_outputs"]
