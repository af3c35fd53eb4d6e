"""Application Auto Scaling for an ECS service, as AWS documents it (sources in docs/benchmarks.md).

- Target tracking owns two alarms per policy: scale-out when the metric is above the target for 3 of 3
  datapoints, scale-in when below 90 % of the target for 15 of 15 (one-minute datapoints; with the
  20-second metric types the same counts of 20-second datapoints out, and 45 of 45 in: the same 15 minutes).
  While an alarm is in ALARM, each new datapoint invokes the policy: ``desired x metric / target``, rounded up.
- Several target-tracking policies: the largest capacity wins; scale-in happens only when every policy
  asks for it. A scale-out cooldown counts the capacity already added (the next step starts from the desired
  count the cooldown began with); scale-in waits out its cooldown.
- The step policy (PercentChangeInCapacity, at least ``MinAdjustmentMagnitude``, rounded down) acts when its
  alarm is in ALARM and its cooldown has passed.
- Every result is clamped into [MinCapacity, MaxCapacity]; RegisterScalableTarget moves desired into a new range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from autopilot_cli.simulate.cloudwatch import Alarm, AlarmDefinition

SCALE_OUT_DATAPOINTS = 3
SCALE_IN_MINUTES = 15
SCALE_IN_FRACTION = 0.9


@dataclass
class ScalableTarget:
    min: int
    max: int
    desired: int

    def register(self, min_capacity: int, max_capacity: int) -> None:
        """RegisterScalableTarget: new bounds, and desired moved into them."""
        self.min, self.max = min_capacity, max_capacity
        self.desired = self.clamp(self.desired)

    def clamp(self, value: int) -> int:
        return min(max(value, self.min), self.max)


@dataclass
class TargetTrackingPolicy:
    name: str
    metric: str  # "cpu", "memory" or "requests"
    target: float
    period: int
    scale_out_cooldown: int
    scale_in_cooldown: int
    high: Alarm = field(init=False)
    low: Alarm = field(init=False)
    last_value: float | None = None

    def __post_init__(self) -> None:
        in_points = SCALE_IN_MINUTES * 60 // self.period
        self.high = Alarm(
            AlarmDefinition(
                f"TargetTracking-{self.name}-AlarmHigh",
                self.period,
                SCALE_OUT_DATAPOINTS,
                SCALE_OUT_DATAPOINTS,
                self.target,
                "GreaterThanThreshold",
            )
        )
        self.low = Alarm(
            AlarmDefinition(
                f"TargetTracking-{self.name}-AlarmLow",
                self.period,
                in_points,
                in_points,
                self.target * SCALE_IN_FRACTION,
                "LessThanThreshold",
            )
        )

    def observe(self, now: int, datapoints: list[tuple[int, float]]) -> None:
        if datapoints:
            self.last_value = datapoints[-1][1]
        self.high.observe(now, datapoints)
        self.low.observe(now, datapoints)

    def wanted(self, base: int) -> int | None:
        if self.last_value is None:
            return None
        return math.ceil(round(base * self.last_value / self.target, 6))


@dataclass
class StepPolicy:
    alarm_name: str
    percent: float
    min_magnitude: int
    cooldown: int

    def adjustment(self, desired: int) -> int:
        raw = desired * self.percent / 100
        step = math.floor(raw) if raw >= 1 else (1 if raw > 0 else 0)
        return max(step, self.min_magnitude)


@dataclass
class Activity:
    at: int
    by: str
    from_desired: int
    to_desired: int


@dataclass
class AutoScaling:
    target: ScalableTarget
    policies: list[TargetTrackingPolicy]
    step: StepPolicy | None = None
    activities: list[Activity] = field(default_factory=list)
    _out_cooldown_until: int = -1
    _out_base: int = 0
    _in_allowed_at: int = 0
    _step_allowed_at: int = 0

    def _set(self, now: int, desired: int, by: str) -> None:
        desired = self.target.clamp(desired)
        if desired != self.target.desired:
            self.activities.append(Activity(now, by, self.target.desired, desired))
            self.target.desired = desired

    def evaluate(self, now: int, fresh: set[str]) -> None:
        """Run the policies whose alarm got a datapoint this second (``fresh`` holds their names)."""
        outs = [
            (w, p.name)
            for p in self.policies
            if p.name in fresh and p.high.state == "ALARM"
            for w in [p.wanted(self._out_base if now < self._out_cooldown_until else self.target.desired)]
            if w is not None
        ]
        if outs:
            wanted, name = max(outs)
            if wanted > self.target.desired:
                if now >= self._out_cooldown_until:
                    self._out_base = self.target.desired
                    cooldown = max(p.scale_out_cooldown for p in self.policies)
                    self._out_cooldown_until = now + cooldown
                self._set(now, wanted, f"target tracking ({name})")
                return
        if (
            fresh
            and self.policies
            and all(p.low.state == "ALARM" for p in self.policies)
            and now >= self._in_allowed_at
        ):
            wanted_in = [w for p in self.policies if (w := p.wanted(self.target.desired)) is not None]
            if wanted_in and max(wanted_in) < self.target.desired:
                self._set(now, max(wanted_in), "target tracking (scale-in)")
                self._in_allowed_at = now + max(p.scale_in_cooldown for p in self.policies)

    def step_alarm(self, now: int, state: str) -> None:
        """The step policy's alarm is in ``state`` and got a datapoint now."""
        if self.step is None or state != "ALARM" or now < self._step_allowed_at:
            return
        self._set(now, self.target.desired + self.step.adjustment(self.target.desired), "step policy")
        self._step_allowed_at = now + self.step.cooldown
