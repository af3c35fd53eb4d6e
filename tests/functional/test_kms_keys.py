"""The embedded AWS's symmetric KMS keys share one unused key pair; what KMS does with each key is unchanged."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from autopilot_cli.embedded import kms_keys
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.kms.models import kms_backends

REGION = "us-east-2"


@pytest.fixture
def kms(aws: None) -> Any:
    kms_keys.install()
    kms_keys.install()  # idempotent
    return boto3.client("kms", region_name=REGION)


def private_key(key_id: str) -> Any:
    return kms_backends[DEFAULT_ACCOUNT_ID][REGION].keys[key_id].private_key


def test_symmetric_keys_share_one_key_pair_and_still_encrypt_apart(kms: Any) -> None:
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key(KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]["KeyId"]
    assert private_key(first) is private_key(second)
    sealed = kms.encrypt(KeyId=first, Plaintext=b"reading")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=sealed)["Plaintext"] == b"reading"
    assert kms.decrypt(CiphertextBlob=sealed)["KeyId"].endswith(first)
    with pytest.raises(kms.exceptions.ClientError):
        kms.decrypt(CiphertextBlob=sealed, KeyId=second)  # the other key's material does not open it


def test_an_hmac_key_shares_it_too(kms: Any) -> None:
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    assert private_key(hmac) is private_key(symmetric)


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256"])
def test_each_asymmetric_key_gets_its_own_key_pair_and_signs_with_it(kms: Any, spec: str) -> None:
    one = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    other = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert private_key(one) is not private_key(other)
    algorithm = "RSASSA_PSS_SHA_256" if spec.startswith("RSA") else "ECDSA_SHA_256"
    signature = kms.sign(KeyId=one, Message=b"floor 6", SigningAlgorithm=algorithm)["Signature"]
    assert kms.verify(KeyId=one, Message=b"floor 6", Signature=signature, SigningAlgorithm=algorithm)["SignatureValid"]
    public = kms.get_public_key(KeyId=other)["PublicKey"]
    assert public != kms.get_public_key(KeyId=one)["PublicKey"]
