"""Which scale-out episode a trigger belongs to: the alarm (or operator), its key and the CPU it reports. Pure."""

from __future__ import annotations

from autopilot.errors import InvalidEventError
from autopilot.models.scaling import ScalingEpisode
from autopilot.models.task_input import ParsedInput

SERVICE_CPU = ("AWS/ECS", "CPUUtilization")


def scaling_episode_of(parsed: ParsedInput) -> ScalingEpisode:
    """Which alarm (or operator) asks for a scale-out, its episode key, and the service CPU it reports."""
    trigger = parsed.trigger
    if trigger.alarm is not None:
        alarm = trigger.alarm
        service_cpu_alarm = list(zip(alarm.metric_namespaces, alarm.metric_names, strict=False)) == [SERVICE_CPU]
        cpu = alarm.observed_value if service_cpu_alarm and not alarm.composite else None
        return ScalingEpisode(alarm_name=alarm.alarm_name, key=alarm.episode_key, cpu=cpu, is_alarm=True)
    if trigger.manual is not None and trigger.manual.kind == "scale-out":
        manual = trigger.manual
        return ScalingEpisode(
            alarm_name=f"manual:{manual.requested_by}",
            key=f"manual|{manual.requested_by}|{manual.time.isoformat()}",
            cpu=manual.cpu_percent,
            is_alarm=False,
        )
    raise InvalidEventError(
        f"EmergencyScaleFunction needs a CloudWatch alarm event or a manual scale-out request, got a {trigger.kind} "
        "event. Nothing was changed."
    )
