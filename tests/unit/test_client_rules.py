"""One place makes boto3 clients: ``autopilot.adapters.clients`` (the factory). No other module under
``functions/autopilot`` calls ``boto3.client``/``boto3.resource``, makes a ``Session`` or asks a session for a
client, and no module keeps clients in a module-level cache (``functools.lru_cache``/``cache``): an adapter takes
its client from the caller, and a handler builds the factory once per invocation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "functions" / "autopilot"
FACTORY = PACKAGE / "adapters" / "clients.py"
MAKERS = {"client", "resource"}  # session.client("ecs") / boto3.resource("dynamodb")
CACHES = {"lru_cache", "cache"}
BUILDS_CLIENTS = {"client", "resource", "Table", "Session", "AwsClients", "aws_clients"}


def _name(node: ast.expr) -> str:
    """``boto3.client`` -> ``client``; ``Session`` -> ``Session``; a call of either -> its callee's name."""
    if isinstance(node, ast.Call):
        return _name(node.func)
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _makes_client(call: ast.Call) -> bool:
    name = _name(call.func)
    if name == "Session" or name == "setup_default_session":
        return True
    named_service = bool(call.args) and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
    return name in MAKERS and isinstance(call.func, ast.Attribute) and named_service


def client_makers(source: str) -> list[str]:
    """``line: call`` for every call in ``source`` that makes a boto3 client, resource or session."""
    return [
        f"{node.lineno}: {ast.unparse(node.func)}(...)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and _makes_client(node)
    ]


def cached_clients(source: str) -> list[str]:
    """``line: def name`` for every module-level function cached with lru_cache/cache that builds clients."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not any(_name(d) in CACHES for d in node.decorator_list):
            continue
        calls = {_name(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
        if calls & BUILDS_CLIENTS:
            found.append(f"{node.lineno}: def {node.name}")
    return found


def violations(folder: Path, allowed: Path, root: Path = ROOT) -> list[str]:
    """``<file> line <n>: <what>`` for every client made outside ``allowed`` and every cached client."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        hits = cached_clients(source) + ([] if path == allowed else client_makers(source))
        found += [f"{path.relative_to(root)} line {hit}" for hit in hits]
    return found


def test_only_the_factory_makes_clients_and_no_module_caches_them() -> None:
    found = violations(PACKAGE, FACTORY)
    assert not found, (
        "make clients in autopilot.adapters.clients (an AwsClients accessor) and pass them in; no module-level "
        "cache of clients:\n" + "\n".join(found)
    )


def test_the_rule_sees_the_factory_itself() -> None:
    """The factory is exempt, not invisible: the rule finds its session and its client calls."""
    hits = client_makers(FACTORY.read_text(encoding="utf-8"))
    assert any("Session" in hit for hit in hits)
    assert any("self.session.client" in hit for hit in hits)
    assert any("self.session.resource" in hit for hit in hits)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('import boto3\nboto3.client("ecs")\n', ['2: boto3.client(...)']),
        ('import boto3\nboto3.resource("dynamodb", region_name="x")\n', ['2: boto3.resource(...)']),
        ("from boto3.session import Session\nSession()\n", ["2: Session(...)"]),
        ("import boto3\nboto3.session.Session(region_name='x')\n", ["2: boto3.session.Session(...)"]),
        ("import boto3\nboto3.setup_default_session()\n", ["2: boto3.setup_default_session(...)"]),
        ('def f(s):\n    return s.client("sns")\n', ["2: s.client(...)"]),
        ('def f(clients):\n    return clients.ecs.describe_services(cluster="c")\n', []),
        ('def f(clients):\n    return clients.table("t")\n', []),
        ("def f(client):\n    return client(3)\n", []),
    ],
)  # fmt: skip
def test_the_rule_finds_every_way_of_making_a_client(source: str, expected: list[str]) -> None:
    assert client_makers(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('from functools import lru_cache\nimport boto3\n@lru_cache(maxsize=4)\ndef c(s):\n'
         '    return boto3.client(s)\n', ["4: def c"]),
        ('import functools\n@functools.cache\ndef t():\n    return aws_clients("r").table("t")\n', ["3: def t"]),
        ('from functools import lru_cache\n@lru_cache\ndef settings():\n    return Settings()\n', []),
        ('import boto3\ndef c():\n    return boto3.client("ecs")\n', []),
    ],
)  # fmt: skip
def test_the_rule_finds_a_module_level_cache_of_clients(source: str, expected: list[str]) -> None:
    assert cached_clients(source) == expected


def test_a_violation_names_the_module_and_the_line(tmp_path: Path) -> None:
    (tmp_path / "adapter.py").write_text('import boto3\n\n\ndef ecs():\n    return boto3.client("ecs")\n')
    (tmp_path / "fine.py").write_text("def describe(ecs):\n    return ecs.describe_services()\n")
    (tmp_path / "factory.py").write_text('import boto3\n\n\ndef ecs():\n    return boto3.client("ecs")\n')
    assert violations(tmp_path, tmp_path / "factory.py", root=tmp_path) == ["adapter.py line 5: boto3.client(...)"]
