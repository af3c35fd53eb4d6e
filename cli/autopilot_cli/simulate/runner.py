"""One strategy over one profile, second by second: load → service → metrics → alarms → scaling → tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autopilot.logic.cost_prices import fargate_task_hourly, price_book

from autopilot_cli.embedded.seed_stack import REGION
from autopilot_cli.simulate.aas import Activity, AutoScaling, ScalableTarget, StepPolicy, TargetTrackingPolicy
from autopilot_cli.simulate.cloudwatch import Alarm, AlarmDefinition, Metric
from autopilot_cli.simulate.config import Assumptions, Policies, Strategy
from autopilot_cli.simulate.control import Action, ControlPlane
from autopilot_cli.simulate.fargate import Fleet
from autopilot_cli.simulate.profiles import LoadProfile
from autopilot_cli.simulate.service_model import ServiceParams, step

Progress = Callable[[int], None]
SAMPLE_EVERY = 10


@dataclass
class Totals:
    overloaded_s: int = 0
    dropped: float = 0.0
    over_slo_s: int = 0
    peak_p99_s: float = 0.0
    task_seconds: float = 0.0
    cost_usd: float = 0.0
    native_actions: int = 0
    autopilot_actions: int = 0

    @property
    def task_hours(self) -> float:
        return self.task_seconds / 3600


@dataclass
class TimelineRow:
    second: int
    load: float
    running: int
    desired: int
    action: str


@dataclass
class RunRecord:
    """Everything a run leaves behind: totals, sampled series, the timeline and what the invariants read."""

    strategy: str
    profile: str
    duration_s: int
    totals: Totals = field(default_factory=Totals)
    series: dict[str, list[float]] = field(default_factory=dict)
    timeline: list[TimelineRow] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    bounds: list[tuple[int, int, int]] = field(default_factory=list)  # (second, min, max) after every change
    alarm_changes: list[tuple[int, str, str]] = field(default_factory=list)  # (second, alarm, state)
    leases_at_raise: list[bool] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


@dataclass
class _Watch:
    """An alarm of the template over its own metric stream."""

    alarm: Alarm
    metric: Metric
    source: str  # "cpu" or "running"


class Simulation:
    def __init__(
        self,
        profile: LoadProfile,
        strategy: Strategy,
        policies: Policies,
        assumptions: Assumptions,
        control: ControlPlane | None = None,
    ) -> None:
        if strategy.autopilot and control is None:
            raise ValueError(f"strategy {strategy.name} needs the control plane (moto with the real handlers)")
        self.profile, self.strategy, self.policies, self.assume = profile, strategy, policies, assumptions
        self.control = control if strategy.autopilot else None
        self.params = ServiceParams(
            capacity_rps=assumptions.capacity_rps,
            workers=policies.workers,
            queue_timeout_s=assumptions.queue_timeout_s,
        )
        self.fleet = Fleet.settled(policies.min_capacity, assumptions.task_start_s, policies.drain_s)
        self.record = RunRecord(strategy.name, profile.name, profile.duration_s)
        self.tracking, self.metrics = self._tracking()
        self.aas = AutoScaling(
            ScalableTarget(policies.min_capacity, policies.max_capacity, policies.min_capacity),
            [p for p, _ in zip(self.tracking, self.metrics, strict=True)],
            StepPolicy(policies.emergency.name, policies.step_percent, policies.step_min, policies.step_cooldown),
        )
        self.emergency = self._watch(policies.emergency, "cpu")
        self.at_max = self._watch(policies.at_max, "running")
        self.pending_events: list[tuple[int, dict[str, Any]]] = []
        self.hourly = fargate_task_hourly(price_book(REGION), policies.task_cpu, policies.task_memory_gb)

    def _delay(self, period: int) -> int:
        return self.assume.publication_delay_20_s if period < 60 else self.assume.publication_delay_60_s

    def _tracking(self) -> tuple[list[TargetTrackingPolicy], list[Metric]]:
        policies, metrics = [], []
        for spec in self.policies.tracking:
            period = 20 if self.strategy.high_resolution and spec.high_resolution_capable else 60
            policies.append(
                TargetTrackingPolicy(
                    spec.name,
                    spec.metric,
                    spec.target,
                    period,
                    self.policies.scale_out_cooldown,
                    self.policies.scale_in_cooldown,
                )
            )
            metrics.append(Metric(period, self._delay(period), "Sum" if spec.metric == "requests" else "Average"))
        return policies, metrics

    def _watch(self, definition: AlarmDefinition, source: str) -> _Watch:
        resolution = 20 if self.strategy.high_resolution and source == "cpu" else 60
        metric = Metric(definition.period, self._delay(resolution), definition.statistic)
        return _Watch(Alarm(definition, state="OK"), metric, source)

    # ---------------------------------------------------------------- the loop
    def run(self, progress: Progress | None = None, progress_every: int = 600) -> RunRecord:
        """Simulate the whole profile; ``progress`` is called every ``progress_every`` simulated seconds (a progress
        bar, or anything that looks at the emulated AWS mid-run, such as the dashboard)."""
        loads = self.profile.series()
        backlog = 0.0
        if self.control is not None:
            self.control.reset(self.policies.min_capacity, self.policies.max_capacity)
        self.record.bounds.append((0, self.aas.target.min, self.aas.target.max))
        for t, offered in enumerate(loads):
            healthy = self.fleet.healthy(t)
            sec = step(self.params, offered, healthy, backlog)
            backlog = sec.backlog
            fresh = self._observe(t, sec.cpu_percent, sec.memory_percent, sec.served / max(healthy, 1), healthy)
            before = len(self.aas.activities)
            self.aas.evaluate(t, fresh)
            changes = self._alarms(t, healthy)
            if self.control is not None:
                self._control(t, changes, healthy)
            for activity in self.aas.activities[before:]:
                self._row(t, offered, f"{activity.by}: {activity.from_desired} → {activity.to_desired}")
            self.fleet.set_desired(self.aas.target.desired, t)
            self._account(t, sec.overloaded, sec.dropped, sec.p99_s, offered)
            if progress is not None and t % progress_every == 0:
                progress(t)
        return self._finish()

    def _observe(self, t: int, cpu: float, memory: float, per_target: float, healthy: int) -> set[str]:
        fresh: set[str] = set()
        sources = {"cpu": cpu, "memory": memory, "requests": per_target}
        for policy, metric in zip(self.tracking, self.metrics, strict=True):
            metric.add(t, sources[policy.metric])
            points = metric.visible(t)
            if points:
                policy.observe(t, points)
                fresh.add(policy.name)
        for watch in (self.emergency, self.at_max):
            watch.metric.add(t, cpu if watch.source == "cpu" else float(healthy))
        return fresh

    def _alarms(self, t: int, healthy: int) -> list[tuple[_Watch, str, list[float]]]:
        changes: list[tuple[_Watch, str, list[float]]] = []
        for watch in (self.emergency, self.at_max):
            points = watch.metric.visible(t)
            if not points:
                continue
            new = watch.alarm.observe(t, points)
            if watch is self.emergency:
                self.aas.step_alarm(t, watch.alarm.state)
            if new is not None:
                self.record.alarm_changes.append((t, watch.alarm.definition.name, new))
                changes.append((watch, new, watch.alarm.recent()))
        return changes

    def _control(self, t: int, changes: list[tuple[_Watch, str, list[float]]], healthy: int) -> None:
        assert self.control is not None
        due = [e for s, e in self.pending_events if s <= t]
        self.pending_events = [(s, e) for s, e in self.pending_events if s > t]
        sweep = t > 0 and t % self.assume.sweep_every_s == 0
        if not (changes or due or sweep or self.control.rechecks_due(t)):
            return
        self.control.sync_service(self.aas.target.desired, healthy, self.fleet.pending(t))
        before = len(self.control.actions)
        for watch, state, points in changes:
            event = self.control.set_alarm(watch.alarm.definition, state, t, points)
            if state == "OK" and self.assume.lose_ok_events:
                continue  # CloudWatch changed state; EventBridge never delivered it
            self.control.deliver(event, t)
            if self.assume.redeliver_after_s is not None:
                self.pending_events.append((t + self.assume.redeliver_after_s, event))
        for event in due:
            self.control.deliver(event, t)
        self.control.run_rechecks(t)
        if sweep:
            self.control.sweep(t)
        self._apply_bounds(t, self.control.actions[before:])

    def _apply_bounds(self, t: int, actions: list[Action]) -> None:
        assert self.control is not None
        low, high = self.control.bounds()
        if (low, high) != (self.aas.target.min, self.aas.target.max):
            raised = low > self.aas.target.min
            self.aas.target.register(low, high)
            self.record.bounds.append((t, low, high))
            if raised:
                self.record.leases_at_raise.append(self.control.has_floor_lease())
        for action in actions:
            if action.taken:
                self._row(t, self.profile.rate(t), f"autopilot {action.action}: {action.summary}")

    def _row(self, t: int, load: float, text: str) -> None:
        self.record.timeline.append(TimelineRow(t, load, self.fleet.healthy(t), self.aas.target.desired, text))

    def _account(self, t: int, overloaded: bool, dropped: float, p99: float, offered: float) -> None:
        totals = self.record.totals
        totals.overloaded_s += overloaded
        totals.dropped += dropped
        totals.over_slo_s += p99 > self.assume.p99_slo_s
        totals.peak_p99_s = max(totals.peak_p99_s, p99)
        billed = self.fleet.billed(t)
        totals.task_seconds += billed
        if t % SAMPLE_EVERY == 0:
            series = self.record.series
            for key, value in (
                ("second", float(t)),
                ("load", offered),
                ("capacity", self.fleet.healthy(t) * self.params.capacity_rps),
                ("running", float(self.fleet.healthy(t))),
                ("desired", float(self.aas.target.desired)),
                ("min", float(self.aas.target.min)),
                ("p99_s", p99),
            ):
                series.setdefault(key, []).append(value)

    def _finish(self) -> RunRecord:
        rec = self.record
        rec.totals.cost_usd = rec.totals.task_hours * self.hourly
        rec.activities = list(self.aas.activities)
        rec.totals.native_actions = len(rec.activities)
        if self.control is not None:
            rec.actions = list(self.control.actions)
            rec.totals.autopilot_actions = sum(a.taken for a in rec.actions)
            rec.audit = self.control.audit()
        return rec
