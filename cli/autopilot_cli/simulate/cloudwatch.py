"""CloudWatch as the simulator needs it: datapoints per period, published after a delay, and alarms.

A metric's datapoint for the period ``[k P, (k + 1) P)`` aggregates that period's per-second samples
(Average, Maximum or Sum) and becomes visible at ``(k + 1) P + delay``. An alarm is evaluated when a datapoint
becomes visible, over its last ``EvaluationPeriods`` datapoints: ALARM when at least ``DatapointsToAlarm`` of
them breach, OK otherwise; missing datapoints are treated as ``TreatMissingData`` says (``missing`` and
``ignore`` leave them out, and with no datapoint at all the alarm keeps its state).
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

AlarmState = Literal["OK", "ALARM", "INSUFFICIENT_DATA"]

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}
STATISTICS = ("Average", "Maximum", "Sum", "Minimum")
MISSING = ("missing", "ignore", "breaching", "notBreaching")


class AlarmDefinitionError(ValueError):
    """An alarm definition the simulator cannot evaluate; the message names the field."""


@dataclass
class Metric:
    """Per-second samples aggregated per ``period`` seconds, visible ``delay`` seconds after the period ends."""

    period: int
    delay: int
    statistic: str = "Average"
    _acc: list[float] = field(default_factory=list)
    _pending: deque[tuple[int, int, float]] = field(default_factory=deque)  # (visible_at, period_start, value)

    def __post_init__(self) -> None:
        if self.period <= 0 or self.delay < 0:
            raise AlarmDefinitionError(f"a metric needs period > 0 and delay >= 0, got {self.period}, {self.delay}")
        if self.statistic not in STATISTICS:
            raise AlarmDefinitionError(f"statistic {self.statistic!r} is not one of {', '.join(STATISTICS)}")

    def add(self, second: int, value: float) -> None:
        """The sample of ``second``; closes the period after its last second."""
        self._acc.append(value)
        if (second + 1) % self.period == 0:
            start = second + 1 - self.period
            self._pending.append((second + 1 + self.delay, start, self._aggregate()))
            self._acc = []

    def _aggregate(self) -> float:
        values = self._acc
        if self.statistic == "Maximum":
            return max(values)
        if self.statistic == "Minimum":
            return min(values)
        if self.statistic == "Sum":
            return sum(values)
        return sum(values) / len(values)

    def visible(self, now: int) -> list[tuple[int, float]]:
        """Datapoints (period start, value) that became visible at or before ``now``, each returned once."""
        out = []
        while self._pending and self._pending[0][0] <= now:
            _, start, value = self._pending.popleft()
            out.append((start, value))
        return out


@dataclass(frozen=True)
class AlarmDefinition:
    name: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str = "missing"
    statistic: str = "Average"

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise AlarmDefinitionError(f"alarm {self.name}: ComparisonOperator {self.comparison!r} is not supported")
        if self.treat_missing not in MISSING:
            raise AlarmDefinitionError(f"alarm {self.name}: TreatMissingData {self.treat_missing!r} is not valid")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise AlarmDefinitionError(
                f"alarm {self.name}: DatapointsToAlarm {self.datapoints_to_alarm} must be between 1 and "
                f"EvaluationPeriods {self.evaluation_periods}"
            )

    @classmethod
    def from_properties(cls, props: dict[str, Any]) -> AlarmDefinition:
        """From a resolved ``AWS::CloudWatch::Alarm``'s properties (single metric, Statistic)."""
        if "Metrics" in props or "ExtendedStatistic" in props:
            raise AlarmDefinitionError(f"alarm {props.get('AlarmName')}: only single-metric Statistic alarms")
        evaluation = int(props["EvaluationPeriods"])
        return cls(
            name=str(props["AlarmName"]),
            period=int(props["Period"]),
            evaluation_periods=evaluation,
            datapoints_to_alarm=int(props.get("DatapointsToAlarm", evaluation)),
            threshold=float(props["Threshold"]),
            comparison=str(props["ComparisonOperator"]),
            treat_missing=str(props.get("TreatMissingData", "missing")),
            statistic=str(props.get("Statistic", "Average")),
        )


@dataclass
class Alarm:
    """An alarm over one metric's visible datapoints. ``state_since`` is the virtual second of the last change."""

    definition: AlarmDefinition
    state: AlarmState = "INSUFFICIENT_DATA"
    state_since: int = 0
    _window: deque[float | None] = field(default_factory=deque)

    def observe(self, now: int, datapoints: list[tuple[int, float]]) -> AlarmState | None:
        """Take newly visible datapoints; returns the new state when the alarm changes, else None."""
        changed: AlarmState | None = None
        for _, value in datapoints:
            self._window.append(value)
            while len(self._window) > self.definition.evaluation_periods:
                self._window.popleft()
            new = self._evaluate()
            if new is not None and new != self.state:
                self.state, self.state_since, changed = new, now, new
        return changed

    def recent(self) -> list[float]:
        """The datapoints the last evaluation looked at (what CloudWatch puts in ``recentDatapoints``)."""
        return [v for v in self._window if v is not None]

    def _evaluate(self) -> AlarmState | None:
        d = self.definition
        compare = COMPARISONS[d.comparison]
        breaching = 0
        present = 0
        for value in self._window:
            if value is None:
                if d.treat_missing == "breaching":
                    breaching += 1
                    present += 1
                elif d.treat_missing == "notBreaching":
                    present += 1
                continue
            present += 1
            breaching += compare(value, d.threshold)
        if breaching >= d.datapoints_to_alarm:
            return "ALARM"
        if present == 0:
            return None if d.treat_missing == "ignore" else "INSUFFICIENT_DATA"
        return "OK"
