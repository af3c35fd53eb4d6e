"""ECS on Fargate: a task asked for becomes healthy ``start_delay_s`` later; scale-in drains the newest first.

A task stops serving as soon as it is deregistered and is billed until its draining ends
(``drain_s``, the target group's deregistration delay).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fleet:
    start_delay_s: int
    drain_s: int
    ready_at: list[int] = field(default_factory=list)  # one entry per task the service wants, oldest first
    draining_until: list[int] = field(default_factory=list)

    @classmethod
    def settled(cls, tasks: int, start_delay_s: int, drain_s: int) -> Fleet:
        return cls(start_delay_s, drain_s, ready_at=[0] * tasks)

    @property
    def desired(self) -> int:
        return len(self.ready_at)

    def healthy(self, now: int) -> int:
        return sum(1 for t in self.ready_at if t <= now)

    def pending(self, now: int) -> int:
        return self.desired - self.healthy(now)

    def billed(self, now: int) -> int:
        """Tasks paid for this second: every task asked for (starting ones are billed too) and draining ones."""
        self.draining_until = [t for t in self.draining_until if t > now]
        return self.desired + len(self.draining_until)

    def set_desired(self, desired: int, now: int) -> None:
        """Start or stop tasks to reach ``desired``; pending tasks are stopped before healthy ones."""
        while self.desired < desired:
            self.ready_at.append(now + self.start_delay_s)
        while self.desired > desired:
            ready = self.ready_at.pop()
            if ready <= now:
                self.draining_until.append(now + self.drain_s)
