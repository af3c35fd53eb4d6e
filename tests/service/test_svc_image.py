"""The image's contract with the task definition, read from the Dockerfile (no Docker needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOCKERFILE = (Path(__file__).resolve().parents[2] / "service" / "Dockerfile").read_text(encoding="utf-8")


def instruction(name: str) -> str:
    """The (joined) text of the last `name` instruction."""
    joined = DOCKERFILE.replace("\\\n", " ")
    found = re.findall(rf"^{name} (.+)$", joined, flags=re.MULTILINE)
    assert found, f"no {name} in the Dockerfile"
    return str(found[-1])


def test_every_stage_starts_from_the_base_image_pinned_by_digest() -> None:
    default = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, flags=re.MULTILINE)
    assert default is not None and re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", default.group(1))
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.MULTILINE) == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]


def test_the_port_comes_from_uvicorn_port_for_the_server_and_the_health_check() -> None:
    command = json.loads(instruction("CMD"))
    assert command[0] == "uvicorn" and "--port" not in command
    assert "UVICORN_PORT=8000" in instruction("ENV")
    assert "UVICORN_PORT" in instruction("HEALTHCHECK") and ":8000/" not in instruction("HEALTHCHECK")


def test_tmp_is_a_volume_and_the_user_is_not_root() -> None:
    assert json.loads(instruction("VOLUME")) == ["/tmp"]
    assert instruction("USER") == "10001:10001"


def test_the_server_runs_with_the_header_timeout_protocol() -> None:
    command = json.loads(instruction("CMD"))
    assert command[command.index("--http") + 1] == "sensor_api.httpproto:HeaderTimeoutProtocol"
