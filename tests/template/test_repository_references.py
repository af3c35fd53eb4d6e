"""The repository names only documents it contains: every ``*.md`` / ``*.txt`` a document or a module mentions is
a tracked file, and no stray log file is tracked."""

from __future__ import annotations

import re
import subprocess
from pathlib import PurePosixPath

import pytest

from tests.template.conftest import ROOT

DOCUMENT = re.compile(r"(?<![\w./-])([\w./-]*[\w-]\.(?:md|txt))\b")
# Files the code writes (into an archive or a report bucket), not documents it points to.
WRITTEN = {"README.txt", "cost-report.md"}


def tracked() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split() if (ROOT / name).is_file()]


def missing_documents(name: str, text: str, files: set[str]) -> list[str]:
    """The documents ``text`` (the file ``name``) mentions that the repository does not hold."""
    basenames = {PurePosixPath(f).name for f in files}
    here = PurePosixPath(name).parent
    missing = []
    for token in DOCUMENT.findall(text):
        if token.startswith(("http", "/")) or PurePosixPath(token).name in WRITTEN:
            continue
        found = token in files or str(here / token) in files if "/" in token else token in basenames
        if not found:
            missing.append(token)
    return missing


@pytest.fixture(scope="module")
def files() -> set[str]:
    return set(tracked())


def test_every_document_mentioned_is_in_the_repository(files: set[str]) -> None:
    sources = [f for f in files if f.endswith(".md") or (f.endswith(".py") and not f.startswith("tests/"))]
    problems = {
        f: missing for f in sources if (missing := missing_documents(f, (ROOT / f).read_text(encoding="utf-8"), files))
    }
    assert not problems, f"these files name documents the repository does not have: {problems}"


def test_a_reference_to_a_missing_document_is_caught(files: set[str]) -> None:
    text = "See DESIGN.md and docs/architecture.md; the seed is in seed/scaling-guide.txt, the runbook docs/runbook.md"
    assert missing_documents("README.md", text, files) == ["DESIGN.md", "seed/scaling-guide.txt"]


def test_no_log_or_scratch_file_is_tracked(files: set[str]) -> None:
    stray = sorted(f for f in files if f.endswith((".log", ".tmp", ".orig", ".rej", ".bak")))
    assert not stray, f"stray files are tracked: {stray}"
