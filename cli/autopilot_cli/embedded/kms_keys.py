"""Symmetric KMS keys in the embedded AWS without a new RSA key pair each.

moto 5.2.5 gives every KMS key it creates a private key, and for a symmetric key spec (``SYMMETRIC_DEFAULT``,
``HMAC_*``) that is a new 2048-bit RSA key pair: tens of milliseconds of CPU for every table with server-side
encryption, every stack's notification key and every default ``aws/...`` key, each time a stack is seeded. A
symmetric key never uses it: moto encrypts with the key's own key material, and AWS refuses Sign, Verify and
GetPublicKey on a symmetric key. So the symmetric keys share one key pair, made the first time; every asymmetric
spec still gets its own, as moto makes it. :func:`install` is idempotent.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.kms import models as kms_models
from moto.kms.utils import KeySpec, generate_private_key

SYMMETRIC_SPECS = frozenset({KeySpec.SYMMETRIC_DEFAULT.value, *KeySpec.hmac_key_specs()})


@functools.cache
def _symmetric_keys_pair() -> Any:
    return generate_private_key(KeySpec.SYMMETRIC_DEFAULT.value)


def private_key(key_spec: str) -> Any:
    """moto's private key for a new KMS key of `key_spec`: the shared one for a symmetric spec."""
    return _symmetric_keys_pair() if key_spec in SYMMETRIC_SPECS else generate_private_key(key_spec)


def install() -> None:
    kms_models.generate_private_key = private_key  # type: ignore[attr-defined]
