"""Importing the embedded AWS makes the process's botocore sessions share one loader, so each service model is
parsed once per process (checked in fresh interpreters: the test session itself already shares them)."""

from __future__ import annotations

import subprocess
import sys

ONE_LOADER = (
    "import botocore.session as s; {setup}; a, b = s.get_session(), s.get_session(); "
    "print(a.get_component('data_loader') is b.get_component('data_loader'), "
    "a.get_service_data('ecs') is b.get_service_data('ecs'))"
)


def sessions_share(setup: str) -> str:
    code = ONE_LOADER.format(setup=setup)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_without_the_embedded_aws_each_session_parses_its_own_models() -> None:
    assert sessions_share("pass") == "False False"


def test_importing_the_embedded_aws_gives_every_session_one_loader() -> None:
    assert sessions_share("import autopilot_cli.embedded") == "True True"


def test_sharing_twice_changes_nothing() -> None:
    setup = "from autopilot_cli.embedded.service_models import share_service_models as share; share(); share()"
    assert sessions_share(setup) == "True True"
