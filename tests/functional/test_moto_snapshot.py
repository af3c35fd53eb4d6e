"""The tests' snapshot of moto's state: each restore gives the state as it was taken, as a copy of its own, whether
the state was pickled or (holding something pickle cannot take) deep-copied."""

from __future__ import annotations

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ssm.models import ssm_backends

from tests.helpers.moto_snapshot import MotoSnapshot

REGION = "us-east-2"


def _parameter(name: str) -> str:
    return boto3.client("ssm", region_name=REGION).get_parameter(Name=name)["Parameter"]["Value"]


def _put(name: str, value: str) -> None:
    boto3.client("ssm", region_name=REGION).put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def _key_pair() -> str:
    return boto3.client("ec2", region_name=REGION).create_key_pair(KeyName="ops")["KeyFingerprint"]


@pytest.fixture
def taken(aws: None) -> MotoSnapshot:
    """SSM (whose backend keeps a lambda) and EC2 with a key pair (an RSA key object) holding known state."""
    _put("/app/writer", "primary")
    _key_pair()
    return MotoSnapshot.take()


def test_a_restore_undoes_what_came_after_the_snapshot(taken: MotoSnapshot) -> None:
    _put("/app/writer", "replica")
    _put("/app/other", "new")
    taken.restore()
    assert _parameter("/app/writer") == "primary"
    with pytest.raises(boto3.client("ssm", region_name=REGION).exceptions.ParameterNotFound):
        _parameter("/app/other")


def test_each_restore_is_a_copy_of_its_own(taken: MotoSnapshot) -> None:
    taken.restore()
    _put("/app/writer", "replica")
    taken.restore()
    assert _parameter("/app/writer") == "primary"
    pairs = boto3.client("ec2", region_name=REGION).describe_key_pairs()["KeyPairs"]
    assert [pair["KeyName"] for pair in pairs] == ["ops"]


def test_the_state_is_held_pickled_with_the_immutable_objects_shared(taken: MotoSnapshot) -> None:
    assert taken.pickled is not None and taken.copied is None
    assert taken.shared, "the SSM backend's lambda and the key pair's key are referred to, not pickled"
    assert all(callable(obj) or type(obj).__module__.startswith("cryptography.") for obj in taken.shared.values())


def test_a_state_pickle_cannot_take_is_deep_copied(aws: None) -> None:
    class Local:  # a class defined in a function: pickle cannot name it, deepcopy copies it
        def __init__(self, value: str) -> None:
            self.value = value

    _put("/app/writer", "primary")
    backend = ssm_backends[DEFAULT_ACCOUNT_ID][REGION]
    backend.local_note = Local("as taken")  # type: ignore[attr-defined]
    snapshot = MotoSnapshot.take()
    assert snapshot.pickled is None and snapshot.copied is not None
    backend.local_note.value = "changed"  # type: ignore[attr-defined]
    _put("/app/writer", "replica")
    snapshot.restore()
    restored = ssm_backends[DEFAULT_ACCOUNT_ID][REGION]
    assert restored.local_note.value == "as taken"  # type: ignore[attr-defined]
    assert _parameter("/app/writer") == "primary"
