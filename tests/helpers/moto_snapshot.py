"""moto's in-memory AWS, copied once and restored for each test instead of built again.

Building the seed's stack (VPC, load balancer, ECS, RDS, alarms, tables, topics...) costs a few hundred
milliseconds of moto calls. A test gets a copy of the state in a fresh mock: its changes go to its own copy, and the
next test restores the snapshot again, so no test sees another's state.

The copy is of every moto backend in use (``BackendDict._instances``), taken together so that references between
backends stay consistent. The ``BackendDict`` objects themselves are module globals that moto's handlers look up,
so they are kept, never copied. The snapshot is held pickled and each restore unpickles it: about 2 ms for the
seed's stack, against about 10 ms for a ``copy.deepcopy`` of it. Pickling copies what ``deepcopy`` copies, with
the objects ``deepcopy`` shares shared here too: plain functions (moto keeps lambdas in some backends) and
cryptography's keys, which are immutable. A state holding something else pickle cannot take is deep-copied instead.
"""

from __future__ import annotations

import copy
import copyreg
import io
import pickle
import types
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from moto.core.base_backend import BackendDict, backend_lock
from moto.ssm.models import ParameterDict

_SHARED_TYPES = (BackendDict, types.FunctionType, types.BuiltinFunctionType)


def _reduce_parameter_dict(params: ParameterDict) -> tuple[Any, ...]:
    """SSM's parameter store is a defaultdict whose constructor takes (account, region): copy it through them."""
    return (ParameterDict, (params.account_id, params.region_name), dict(params.__dict__), None, iter(params.items()))


copyreg.pickle(ParameterDict, _reduce_parameter_dict)


def _is_shared(obj: Any) -> bool:
    return isinstance(obj, _SHARED_TYPES) or type(obj).__module__.startswith("cryptography.")


class _Pickler(pickle.Pickler):
    """Pickles a state, leaving the shared objects out as references to ``shared``."""

    def __init__(self, stream: io.BytesIO, shared: dict[int, Any]) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared

    def persistent_id(self, obj: Any) -> int | None:
        if _is_shared(obj):
            self.shared[id(obj)] = obj
            return id(obj)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, shared: dict[int, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        return self.shared[pid]


def _kept(backends: list[BackendDict[Any]]) -> dict[int, Any]:
    return {id(backend): backend for backend in backends}


@dataclass(frozen=True)
class MotoSnapshot:
    """Every backend's accounts (account → region → backend), as they were when taken: pickled, with the objects
    the pickle refers to (``shared``), or deep-copied when pickle could not take them."""

    backends: tuple[BackendDict[Any], ...]
    pickled: bytes | None
    shared: dict[int, Any]
    copied: tuple[dict[str, Any], ...] | None

    @classmethod
    def take(cls, services: Collection[str] | None = None) -> MotoSnapshot:
        """Every backend in use, or only those of ``services`` (moto's service names: ``lambda``, ``iam``...)."""
        backends = [b for b in BackendDict._instances if services is None or b.service_name in services]
        accounts = [dict(backend) for backend in backends]
        stream, shared = io.BytesIO(), {}
        try:
            _Pickler(stream, shared).dump(accounts)
        except (pickle.PicklingError, TypeError, AttributeError):
            return cls(tuple(backends), None, {}, tuple(copy.deepcopy(accounts, _kept(backends))))
        return cls(tuple(backends), stream.getvalue(), shared, None)

    def _accounts(self) -> list[dict[str, Any]]:
        if self.pickled is not None:
            return _Unpickler(self.pickled, self.shared).load()  # type: ignore[no-any-return]
        assert self.copied is not None  # one of the two is always set
        return copy.deepcopy(list(self.copied), _kept(list(self.backends)))

    def restore(self) -> None:
        """Replace the state of the snapshot's backends with a fresh copy of it (call inside an active mock, freshly
        reset for a whole snapshot; the backends a partial one leaves out keep their state)."""
        accounts = self._accounts()
        with backend_lock:
            for backend, copied in zip(self.backends, accounts, strict=True):
                backend.clear()
                backend.update(copied)
                if backend not in BackendDict._instances:
                    BackendDict._instances.append(backend)
