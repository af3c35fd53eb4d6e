"""The install is quiet: pyproject.toml uses the metadata forms the pinned setuptools accepts without warning."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SPDX_LICENSE_SETUPTOOLS = (77, 0)  # the first setuptools that reads `license` as an SPDX expression


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_string_not_the_deprecated_table() -> None:
    assert pyproject()["project"]["license"] == "Apache-2.0"


def test_the_build_requires_a_setuptools_that_understands_the_spdx_license() -> None:
    requires = pyproject()["build-system"]["requires"]
    [setuptools] = [r for r in requires if r.startswith("setuptools")]
    bound = re.fullmatch(r"setuptools>=(\d+)(?:\.(\d+))?", setuptools)
    assert bound is not None, f"{setuptools!r}: expected a lower bound, setuptools>=N"
    assert (int(bound[1]), int(bound[2] or 0)) >= SPDX_LICENSE_SETUPTOOLS
