"""docs/architecture.md shows the workflow as a Mermaid diagram that matches the ASL file: the same states and the
same transitions (Next, Default, Choices and Catch)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDGE = re.compile(r"^\s*(\w+)\s*(?:-->|-\.->)(?:\|[^|]*\|)?\s*(\w+)\s*$")
NODE = re.compile(r"^\s*(\w+)\s*[\[({]")


def mermaid() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1, "docs/architecture.md has one Mermaid diagram of the workflow"
    return str(blocks[0]).splitlines()


def asl_states() -> dict[str, dict[str, object]]:
    return dict(json.loads((ROOT / "statemachines" / "remediation.asl.json").read_text())["States"])


def asl_edges() -> set[tuple[str, str]]:
    edges = set()
    for name, state in asl_states().items():
        for key in ("Next", "Default"):
            if key in state:
                edges.add((name, str(state[key])))
        for rule in list(state.get("Choices", [])) + list(state.get("Catch", [])):  # type: ignore[call-overload]
            edges.add((name, str(rule["Next"])))
    return edges


def test_every_state_of_the_asl_is_a_node_of_the_diagram() -> None:
    nodes = {m.group(1) for line in mermaid() if (m := NODE.match(line)) and not EDGE.match(line)}
    nodes.discard("subgraph")
    assert set(asl_states()) - nodes == set(), "states missing from the diagram"
    assert nodes - set(asl_states()) == set(), "nodes of the diagram that are not states"


def test_the_diagram_has_exactly_the_transitions_of_the_asl() -> None:
    drawn = {(m.group(1), m.group(2)) for line in mermaid() if (m := EDGE.match(line))}
    assert asl_edges() - drawn == set(), "transitions missing from the diagram"
    assert drawn - asl_edges() == set(), "arrows of the diagram that the ASL does not have"
