#!/usr/bin/env python3
"""``make mutate``: mutmut over ``functions/autopilot/logic`` and ``functions/autopilot/operations``, and the
"## Mutation testing" section of docs/benchmarks.md from its results.

mutmut names a module after its path below ``src/``, and the tests import ``autopilot.…``; so each package is
mutated in ``build/mutate/<package>/``, where ``src`` is a link to ``functions/`` and the tests, their data files
and pyproject.toml (with the package's ``[tool.mutmut]`` section added) sit beside it. mutmut copies them into
``mutants/`` there and runs, for each mutant, only the tests that call the mutated function.

    python scripts/mutation_score.py run [logic] [operations]   # mutate, then write the docs section
    python scripts/mutation_score.py report                      # write the docs section from the last runs
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutate"
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Mutation testing"
# The tests each package's mutants are checked against: the logic is pure (unit tests); the operations call AWS
# (the functional tests on the embedded AWS, and the unit tests).
PACKAGES: dict[str, list[str]] = {"logic": ["tests/unit"], "operations": ["tests/unit", "tests/functional"]}
# The demo runs the product in a subprocess, which never sees mutmut's mutants (and takes minutes).
# The project files' test compares the repository's files with the CLI's packaged links to them (no code to mutate).
IGNORED = ("tests/functional/test_demo_output.py", "tests/functional/test_cli_project_files.py")
# functions/ and cli/ too: the meta-tests read the product's own (unmutated) sources by their path in the repository.
LINKED = ("tests", "events", "docs", "README.md", "template.yaml", "statemachines", "functions", "cli")
# mutmut's exit codes (mutmut/stats.py), by outcome; anything else counts as "other".
OUTCOMES: dict[str, set[int | None]] = {
    "killed": {1, 3},
    "survived": {0},
    "timeout": {36, 24, -24, 152, 255},
    "no tests": {5, 33},
    "not checked": {None},
}


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def prepare(package: str) -> Path:
    """The package's working folder: links to the sources and tests, pyproject.toml with its mutmut section."""
    folder = WORK / package
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("src", *LINKED):
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(os.path.relpath(ROOT / ("functions" if name == "src" else name), folder))
    selection = [*PACKAGES[package], *(f"--ignore={path}" for path in IGNORED)]
    mutmut = (
        "\n[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f'only_mutate = ["src/autopilot/{package}/*"]\n'
        f"pytest_add_cli_args_test_selection = {_toml_list(selection)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        f"also_copy = {_toml_list([n for n in LINKED if n != 'tests'])}\n"
    )
    (folder / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8") + mutmut)
    return folder


def run(package: str, children: int) -> None:
    """mutmut run in the package's folder (from scratch: a score is of one whole run), timed."""
    folder = prepare(package)
    shutil.rmtree(folder / "mutants", ignore_errors=True)
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    subprocess.run([str(mutmut), "run", "--max-children", str(children)], cwd=folder, check=True)
    took = {"seconds": round(time.monotonic() - started), "children": children, "load": os.getloadavg()[0]}
    (folder / "run.json").write_text(json.dumps(took), encoding="utf-8")


def outcomes(package: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for meta in sorted((WORK / package / "mutants" / "src" / "autopilot" / package).glob("*.py.meta")):
        for code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].values():
            counts[next((name for name, codes in OUTCOMES.items() if code in codes), "other")] += 1
    return counts


def score(counts: Counter[str]) -> float:
    """Killed, of every mutant that was checked (a mutant no test reaches counts as not killed)."""
    checked = sum(n for name, n in counts.items() if name != "not checked")
    return 100.0 * counts["killed"] / checked if checked else 0.0


def _machine() -> str:
    lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.processor())
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, shared with other work"


def _row(package: str, names: list[str], counts: Counter[str]) -> str:
    """One package's row, with what was mutated and the tests, as its folder's mutmut section says."""
    folder = WORK / package
    config = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    mutated = ", ".join(f"`{p.removeprefix('src/autopilot/')}`" for p in config["only_mutate"])
    tests = " ".join(config["pytest_add_cli_args_test_selection"])
    took: dict[str, Any] = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    cells = " | ".join(str(counts[n]) for n in names)
    minutes = f"{took['seconds'] / 60:.0f} min ({took['children']} workers, load {took['load']:.1f} at the end)"
    return f"| {mutated} | {tests} | {cells} | **{score(counts):.1f} %** | {minutes} |"


def render() -> str:
    names = ["killed", "survived", "timeout", "no tests", "not checked", "other"]
    rows, total = [], Counter[str]()
    for package in PACKAGES:
        counts = outcomes(package)
        total += counts
        rows.append(_row(package, names, counts))
    cells = " | ".join(str(total[n]) for n in names)
    rows.append(f"| both | | {cells} | **{score(total):.1f} %** | |")
    header = "| mutated | tests | " + " | ".join(names) + " | score | run time |"
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured by `make mutate` (mutmut {version('mutmut')}) on {_machine()}. Score: killed mutants of all "
            'that were checked; a mutant no test calls counts against it ("no tests"). mutmut runs, for each '
            "mutant, only the tests that call the mutated function; `mutmut results` and `mutmut show <name>` in "
            "`build/mutate/<package>/` list the survivors.",
            "",
            header,
            "|" + " --- |" * 2 + " ---: |" * (len(names) + 1) + " --- |",
            *rows,
        ]
    )


def write_docs() -> None:
    section = render()
    document = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(document):
        document = pattern.sub(lambda _: section + "\n\n", document, count=1).rstrip("\n") + "\n"
    else:
        document = document.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(document, encoding="utf-8")


def main(argv: list[str]) -> None:
    command, packages = (argv[0] if argv else "run"), argv[1:] or list(PACKAGES)
    unknown = [p for p in packages if p not in PACKAGES]
    if command not in ("run", "report") or unknown:
        raise SystemExit(f"usage: mutation_score.py run|report [{'|'.join(PACKAGES)} ...]; got {argv}")
    if command == "run":
        for package in packages:
            run(package, int(os.environ.get("MUTATE_CHILDREN", os.cpu_count() or 2)))
    write_docs()
    sys.stdout.write(render() + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
