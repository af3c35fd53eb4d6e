"""The flow shape, held by the import graph: handlers parse, call one operation and format; the CLI calls
operations. No module under ``cli/`` or ``functions/autopilot/handlers/`` imports a handler module (the Lambda
router may still name handlers as strings: those are template Handler values, not imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS_PACKAGE = "autopilot.handlers"
# Each checked folder, with the package name of its modules ("" : the folder holds top-level packages).
CHECKED = ((ROOT / "cli", ""), (ROOT / "functions" / "autopilot" / "handlers", HANDLERS_PACKAGE))


def module_name(path: Path, folder: Path, package: str) -> str:
    """``handlers/notify.py`` in package ``autopilot.handlers`` -> ``autopilot.handlers.notify``."""
    parts = list(path.relative_to(folder).with_suffix("").parts)
    parts = parts[:-1] if parts[-1] == "__init__" else parts
    return ".".join([*([package] if package else []), *parts])


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an ``ImportFrom`` names, with relative imports resolved against ``module``."""
    if node.level == 0:
        return node.module or ""
    anchor = module.split(".") if is_package else module.split(".")[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def _is_handler_module(name: str) -> bool:
    return name == HANDLERS_PACKAGE or name.startswith(f"{HANDLERS_PACKAGE}.")


def handler_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every import of a handler module in ``source`` (the module named ``module``), as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _is_handler_module(a.name)]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module, is_package)
            names = [f"{target}.{a.name}" for a in node.names]
            if _is_handler_module(target) or any(_is_handler_module(n) for n in names):
                found.append(f"{node.lineno}: from {target} import {', '.join(a.name for a in node.names)}")
    return found


def violations(folder: Path, package: str) -> list[str]:
    """``<file> (<module>) line <n>: <import>`` for every handler import in the folder's modules."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        module = module_name(path, folder, package)
        hits = handler_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        found += [f"{path} ({module}) line {hit}" for hit in hits]
    return found


def test_no_cli_or_handler_module_imports_a_handler_module() -> None:
    found = [v.removeprefix(f"{ROOT}/") for folder, package in CHECKED for v in violations(folder, package)]
    assert not found, (
        "these modules import a handler module; move the shared code to autopilot.operations (or "
        "autopilot.invocation) and import it from there:\n" + "\n".join(found)
    )


def test_the_rule_walks_both_folders() -> None:
    names = {module_name(p, folder, package) for folder, package in CHECKED for p in folder.rglob("*.py")}
    assert {"autopilot.handlers.promote_replica", "autopilot_cli.cost_command"} <= names


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from autopilot.handlers.replica_check import run_check\n", "autopilot.handlers.promote_replica",
         ["1: from autopilot.handlers.replica_check import run_check"]),
        ("import autopilot.handlers.cost_report\n", "autopilot_cli.cost_command",
         ["1: import autopilot.handlers.cost_report"]),
        ("from autopilot import handlers\n", "autopilot_cli.main", ["1: from autopilot import handlers"]),
        ("from . import notify\n", "autopilot.handlers.assess", ["1: from autopilot.handlers import notify"]),
        ("from ._inputs import prepare\n", "autopilot.handlers.assess",
         ["1: from autopilot.handlers._inputs import prepare"]),
        ("from autopilot.operations.cost_report import build_cost_report\n", "autopilot_cli.cost_command", []),
        ('HANDLER = "autopilot.handlers.notify.handler"\n', "autopilot_cli.embedded.lambda_router", []),
        ("from autopilot.handlers_extra import x\n", "autopilot_cli.main", []),
    ],
)  # fmt: skip
def test_the_rule_finds_every_form_of_a_handler_import(source: str, module: str, expected: list[str]) -> None:
    assert handler_imports(source, module) == expected


def test_a_violation_names_the_module_and_the_line(tmp_path: Path) -> None:
    """What a failure looks like: a handler that imports another handler is named with the import."""
    (tmp_path / "promote.py").write_text(
        '"""A handler."""\n\nfrom autopilot.handlers.replica_check import load_prior, run_check\n', encoding="utf-8"
    )
    (tmp_path / "fine.py").write_text("from autopilot.operations.replica_check import run_check\n", encoding="utf-8")
    assert violations(tmp_path, HANDLERS_PACKAGE) == [
        f"{tmp_path / 'promote.py'} (autopilot.handlers.promote) line 3: "
        "from autopilot.handlers.replica_check import load_prior, run_check"
    ]
