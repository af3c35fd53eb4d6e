"""moto's in-memory AWS, copied once and restored for each test instead of built again.

Building the seed's stack (VPC, load balancer, ECS, RDS, alarms, tables, topics...) costs a few hundred
milliseconds of moto calls; a deep copy of the backends it filled costs about 10 ms. A test gets the copy in a fresh
mock: its changes go to its own copy, and the next test restores the snapshot again, so no test sees another's
state.

The copy is of every moto backend in use (``BackendDict._instances``), in one ``deepcopy`` so that references
between backends stay consistent. The ``BackendDict`` objects themselves are module globals that moto's handlers
look up, so they are kept (memo), never copied.
"""

from __future__ import annotations

import copy
import copyreg
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from moto.core.base_backend import BackendDict, backend_lock
from moto.ssm.models import ParameterDict


def _reduce_parameter_dict(params: ParameterDict) -> tuple[Any, ...]:
    """SSM's parameter store is a defaultdict whose constructor takes (account, region): copy it through them."""
    return (ParameterDict, (params.account_id, params.region_name), dict(params.__dict__), None, iter(params.items()))


copyreg.pickle(ParameterDict, _reduce_parameter_dict)


def _kept(backends: list[BackendDict[Any]]) -> dict[int, Any]:
    return {id(backend): backend for backend in backends}


@dataclass(frozen=True)
class MotoSnapshot:
    """Every backend's accounts (account → region → backend), as they were when taken."""

    backends: tuple[BackendDict[Any], ...]
    accounts: tuple[dict[str, Any], ...]

    @classmethod
    def take(cls, services: Collection[str] | None = None) -> MotoSnapshot:
        """Every backend in use, or only those of ``services`` (moto's service names: ``lambda``, ``iam``...)."""
        backends = [b for b in BackendDict._instances if services is None or b.service_name in services]
        accounts = copy.deepcopy([dict(backend) for backend in backends], _kept(backends))
        return cls(tuple(backends), tuple(accounts))

    def restore(self) -> None:
        """Replace the state of the snapshot's backends with a fresh copy of it (call inside an active mock, freshly
        reset for a whole snapshot; the backends a partial one leaves out keep their state)."""
        accounts = copy.deepcopy(list(self.accounts), _kept(list(self.backends)))
        with backend_lock:
            for backend, copied in zip(self.backends, accounts, strict=True):
                backend.clear()
                backend.update(copied)
                if backend not in BackendDict._instances:
                    BackendDict._instances.append(backend)
