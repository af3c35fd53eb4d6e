"""Load profiles: requests per second over virtual time, piecewise linear between points.

Built in: ``seed`` (the scaling guide's timeline, read as minutes:seconds), ``flash-crowd`` (a 10x step held for
20 minutes), ``ramp``, ``diurnal`` (a day, compressed or not) and ``sawtooth`` (to provoke flapping). A profile
can also come from a CSV file (``seconds,rps`` rows) or a YAML file (``points: [[seconds, rps], ...]``).
"""

from __future__ import annotations

import bisect
import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class ProfileError(ValueError):
    """A profile could not be built or read; the message says what to fix."""


@dataclass(frozen=True)
class LoadProfile:
    """``points``: (second, req/s), strictly increasing seconds from 0; the load is linear between them."""

    name: str
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise ProfileError(f"profile {self.name!r} needs at least two (seconds, rps) points")
        if self.points[0][0] != 0:
            raise ProfileError(f"profile {self.name!r} must start at second 0, not {self.points[0][0]}")
        for (t0, _), (t1, _) in zip(self.points, self.points[1:], strict=False):
            if t1 <= t0:
                raise ProfileError(f"profile {self.name!r}: seconds must increase ({t0} then {t1})")
        bad = [rps for _, rps in self.points if not math.isfinite(rps) or rps < 0]
        if bad:
            raise ProfileError(f"profile {self.name!r}: req/s must be finite and >= 0, got {bad[0]}")

    @property
    def duration_s(self) -> int:
        return int(self.points[-1][0])

    def rate(self, second: float) -> float:
        """Offered load at ``second`` (constant after the last point)."""
        times = [t for t, _ in self.points]
        i = bisect.bisect_right(times, second) - 1
        if i >= len(self.points) - 1:
            return self.points[-1][1]
        (t0, r0), (t1, r1) = self.points[i], self.points[i + 1]
        return r0 + (r1 - r0) * (second - t0) / (t1 - t0)

    def series(self) -> list[float]:
        """The load of every second of the run (one value per second, ``duration_s`` of them)."""
        out: list[float] = []
        times = [t for t, _ in self.points]
        j = 0
        for s in range(self.duration_s):
            while j + 1 < len(times) - 1 and times[j + 1] <= s:
                j += 1
            (t0, r0), (t1, r1) = self.points[j], self.points[j + 1]
            out.append(r0 + (r1 - r0) * (min(s, t1) - t0) / (t1 - t0))
        return out


def _steps(name: str, steps: list[tuple[float, float]], end: float) -> LoadProfile:
    """A staircase: each (second, rps) holds until the next; ramps of one second between steps."""
    points: list[tuple[float, float]] = []
    for i, (t, rps) in enumerate(steps):
        if (i and t > points[-1][0]) or not i:
            points.append((t, rps))
        nxt = steps[i + 1][0] if i + 1 < len(steps) else end
        if nxt - 1 > t:
            points.append((nxt - 1, rps))
    if points[-1][0] < end:
        points.append((end, points[-1][1]))
    return LoadProfile(name, tuple(points))


# The scaling guide's timeline, "Time | Load": 0:00 0, 0:30 500, 1:00 1000, 1:30 1500, 2:00 2000, 3:00 3000,
# 3:30 3500, 4:00 2000, 5:00 1000, 7:00 500, 10:00 100 (minutes:seconds), linear between rows, then 10 more
# minutes at 100 req/s so the scale-in shows.
SEED_TIMELINE = (
    (0, 0),
    (30, 500),
    (60, 1000),
    (90, 1500),
    (120, 2000),
    (180, 3000),
    (210, 3500),
    (240, 2000),
    (300, 1000),
    (420, 500),
    (600, 100),
    (1200, 100),
)


def seed() -> LoadProfile:
    return LoadProfile("seed", tuple((float(t), float(r)) for t, r in SEED_TIMELINE))


def flash_crowd(base: float = 150.0, factor: float = 10.0, before_s: int = 600, hold_s: int = 1200) -> LoadProfile:
    """``base`` req/s, then ``factor`` x base for ``hold_s`` seconds, then base again for 30 minutes."""
    start, end = before_s, before_s + hold_s
    return _steps("flash-crowd", [(0, base), (start, base * factor), (end, base)], end + 1800)


def ramp(low: float = 100.0, high: float = 3000.0, minutes: int = 30) -> LoadProfile:
    climb = minutes * 60
    return LoadProfile("ramp", ((0, low), (300, low), (300 + climb, high), (600 + climb, high), (1200 + climb, low)))


def diurnal(low: float = 100.0, high: float = 2500.0, hours: float = 24.0) -> LoadProfile:
    """A day from 04:00 (the trough) through the 16:00 peak and back (a cosine), sampled every 5 minutes of the
    day, over ``hours`` of virtual time (24 = real time; 1 = a day compressed into an hour)."""
    samples = 288
    scale = hours * 3600 / 86400
    points = []
    for i in range(samples + 1):
        day_s = i * 300
        phase = 2 * math.pi * (day_s / 86400 - 12 / 24)  # second 0 is 04:00, 12 hours before the peak
        points.append((day_s * scale, low + (high - low) * (1 + math.cos(phase)) / 2))
    return LoadProfile("diurnal" if hours == 24 else f"diurnal-{hours:g}h", tuple(points))


def sawtooth(low: float = 150.0, high: float = 2000.0, period_s: int = 600, teeth: int = 6) -> LoadProfile:
    """Load that climbs for a period and drops at once, ``teeth`` times: provokes alarm flapping."""
    points: list[tuple[float, float]] = [(0, low)]
    for k in range(teeth):
        points += [((k + 1) * period_s - 1, high), ((k + 1) * period_s, low)]
    points.append(((teeth + 1) * period_s, low))
    return LoadProfile("sawtooth", tuple(points))


BUILT_IN = {"seed": seed, "flash-crowd": flash_crowd, "ramp": ramp, "diurnal": diurnal, "sawtooth": sawtooth}


def _from_rows(name: str, rows: list[Any]) -> LoadProfile:
    try:
        points = tuple((float(row[0]), float(row[1])) for row in rows)
    except (TypeError, ValueError, IndexError) as exc:
        raise ProfileError(f"profile {name!r}: every point must be (seconds, rps) numbers ({exc})") from exc
    return LoadProfile(name, points)


def from_file(path: Path) -> LoadProfile:
    """Read a CSV (``seconds,rps`` with an optional header) or YAML (``points: [[s, rps], ...]``) profile."""
    if not path.is_file():
        raise ProfileError(f"profile file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        rows = [r for r in csv.reader(text.splitlines()) if r and not r[0].strip().startswith("#")]
        if rows and not rows[0][0].strip().replace(".", "", 1).isdigit():
            rows = rows[1:]
        return _from_rows(path.stem, rows)
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yaml.safe_load(text)
        if not isinstance(data, dict) or not isinstance(data.get("points"), list):
            raise ProfileError(f"{path}: expected a mapping with 'points: [[seconds, rps], ...]'")
        return _from_rows(str(data.get("name", path.stem)), data["points"])
    raise ProfileError(f"{path}: use a .csv (seconds,rps) or .yaml (points: ...) file")


def load_profile(name_or_path: str) -> LoadProfile:
    """A built-in profile by name, or a CSV/YAML file."""
    if name_or_path in BUILT_IN:
        return BUILT_IN[name_or_path]()
    path = Path(name_or_path)
    if path.suffix:
        return from_file(path)
    raise ProfileError(f"unknown profile {name_or_path!r}: use one of {', '.join(BUILT_IN)} or a .csv/.yaml file")
