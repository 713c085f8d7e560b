"""The strategy graph: the goal, the assumptions it rests on, the MVP features that deliver it, the
risks that threaten it and the founder's decisions, as nodes and edges with a simple layout.

Built from the brief and the decision history, so every brief version and every decision redraws it.
The layout is pure arithmetic (columns by kind), so the page can draw it as SVG without a library.
"""

from __future__ import annotations

from typing import Any

KINDS = ("decision", "assumption", "goal", "feature", "risk", "cut")


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def build(brief: dict[str, Any], decisions: list[dict[str, Any]], cut_features: list[str] = (), *,
          features: list[dict[str, Any]] | None = None, left_out: list[str] = ()) -> dict[str, Any]:
    """Nodes and edges from a brief, the decisions taken (oldest first), the features that earlier
    versions had and this one dropped (linked from the last narrowing decision), and, once there is a
    plan, the features it builds (`features`) and those it left out (`left_out`)."""
    nodes = [{"id": "goal", "kind": "goal", "label": _short(brief.get("value_proposition", "") or "The goal")}]
    edges = []
    for i, feature in enumerate(brief.get("mvp_features", []) if features is None else features):
        nodes.append({"id": f"feature-{i}", "kind": "feature", "label": _short(feature["name"], 40),
                      "detail": feature["priority"]})
        edges.append({"from": f"feature-{i}", "to": "goal", "label": "delivers"})
    for i, risk in enumerate(brief.get("risks", [])):
        kind = "assumption" if risk.get("kind") == "assumption" else "risk"
        nodes.append({"id": f"{kind}-{i}", "kind": kind, "label": _short(risk["text"], 60)})
        edges.append({"from": f"{kind}-{i}", "to": "goal", "label": "supports" if kind == "assumption" else "threatens"})
    narrowed_by = "goal"
    for i, decision in enumerate(decisions):
        node_id = f"decision-{i}"
        reason = f": {decision['reason']}" if decision.get("reason") else ""
        nodes.append({"id": node_id, "kind": "decision", "label": _short(f"{decision['choice'].capitalize()}{reason}", 60)})
        edges.append({"from": node_id, "to": "goal", "label": decision["choice"]})
        if decision["choice"] == "narrow":
            narrowed_by = node_id
    for j, name in enumerate(cut_features):
        nodes.append({"id": f"cut-{j}", "kind": "cut", "label": _short(name, 40)})
        edges.append({"from": narrowed_by, "to": f"cut-{j}", "label": "cut"})
    for j, name in enumerate(n for n in left_out if n not in cut_features):
        nodes.append({"id": f"left-out-{j}", "kind": "cut", "label": _short(name, 40), "detail": "not in the plan"})
        edges.append({"from": "goal", "to": f"left-out-{j}", "label": "left out"})
    return {"nodes": nodes, "edges": edges}


# --- layout --------------------------------------------------------------------------------------

WIDTH = 960
BOX_W, BOX_H, GAP = 220, 52, 16
COLUMN_X = {"assumption": 20, "goal": WIDTH // 2 - 130, "feature": WIDTH - 20 - BOX_W, "cut": WIDTH - 20 - BOX_W}


def layout(graph: dict[str, Any]) -> dict[str, Any]:
    """Positions for every node: decisions across the top, assumptions left, the goal in the middle,
    features (and cut features) right, risks across the bottom. Returns width, height and boxes."""
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for node in graph["nodes"]:
        by_kind[node["kind"]].append(node)
    top = 20 + (BOX_H + 40 if by_kind["decision"] else 0)
    side = max(len(by_kind["assumption"]), len(by_kind["feature"]) + len(by_kind["cut"]), 1)
    middle_height = side * (BOX_H + GAP) - GAP
    boxes: dict[str, dict[str, Any]] = {}

    def row(nodes: list[dict[str, Any]], y: int) -> None:
        step = (WIDTH - 40 - BOX_W) / max(len(nodes) - 1, 1)
        for i, node in enumerate(nodes):
            x = 20 + step * i if len(nodes) > 1 else WIDTH / 2 - BOX_W / 2
            boxes[node["id"]] = {**node, "x": round(x), "y": y, "w": BOX_W, "h": BOX_H}

    def column(nodes: list[dict[str, Any]], x: int, start: int) -> None:
        for i, node in enumerate(nodes):
            boxes[node["id"]] = {**node, "x": x, "y": start + i * (BOX_H + GAP), "w": BOX_W, "h": BOX_H}

    row(by_kind["decision"][-4:], 20)
    for node in by_kind["decision"][:-4]:  # older decisions stay in the history list, not the drawing
        graph = {**graph, "edges": [e for e in graph["edges"] if e["from"] != node["id"]]}
    column(by_kind["assumption"], COLUMN_X["assumption"], top + (middle_height - len(by_kind["assumption"]) * (BOX_H + GAP) + GAP) // 2)
    column(by_kind["feature"] + by_kind["cut"], COLUMN_X["feature"], top)
    boxes["goal"] = {**by_kind["goal"][0], "x": COLUMN_X["goal"], "y": top + middle_height // 2 - 40, "w": 260, "h": 80}
    bottom = top + middle_height + 48
    row(by_kind["risk"][:4], bottom)
    height = bottom + (BOX_H + 20 if by_kind["risk"] else 0)
    edges = [e for e in graph["edges"] if e["from"] in boxes and e["to"] in boxes]
    return {"width": WIDTH, "height": height, "boxes": list(boxes.values()), "edges": edges}
