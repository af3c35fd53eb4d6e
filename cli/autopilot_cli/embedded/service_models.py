"""botocore's service models, parsed once per process for the embedded AWS.

Each botocore session has its own loader, which parses a service's model (JSON of up to a few megabytes) the first
time that session needs it. moto makes sessions freely: three at import to list EC2's regions, one per backend
account, and its server parses a model for each kind of request. In the demo and the embedded daemon that parsing
was about a quarter of their CPU. One loader per search path, shared by every session of the process, keeps what
botocore caches within a session across all of them; the models are read, never changed.
"""

from __future__ import annotations

import functools

import botocore.loaders
import botocore.session


def share_service_models() -> None:
    """Give every botocore session made from now on in this process the same loader (idempotent)."""
    if not hasattr(botocore.session.create_loader, "cache_info"):  # not shared yet
        botocore.session.create_loader = functools.lru_cache(maxsize=None)(botocore.loaders.create_loader)
