"""The strategy graph drawn as SVG: boxes coloured by kind, labelled arrows into the goal.

The markup is built here as a string (every label escaped: labels come from founders and models)
and shown with `rx.html`; the positions come from `agent.strategy.layout`.
"""

from __future__ import annotations

import textwrap
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import reflex as rx

# kind -> (fill, stroke, text colour)
COLOURS = {
    "goal": ("#6e56cf", "#5b45b8", "#ffffff"),
    "feature": ("#e9f9ee", "#30a46c", "#1d3d2a"),
    "assumption": ("#fff7e0", "#d9a400", "#4a3a00"),
    "risk": ("#feecec", "#e5484d", "#5c1a1c"),
    "decision": ("#eaf0ff", "#3e63dd", "#1d2b5c"),
    "cut": ("#f1f1f3", "#a0a0ab", "#6f6f7a"),
}
LEGEND = (("goal", "Goal"), ("feature", "MVP feature"), ("assumption", "Assumption"), ("risk", "Risk"),
          ("decision", "Your decision"), ("cut", "Cut by narrowing"))


def _lines(label: str, width: int) -> list[str]:
    lines = textwrap.wrap(label, width=width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width=width, placeholder="\u2026")]
    return lines


def _anchor(box: dict[str, Any], toward: dict[str, Any]) -> tuple[float, float]:
    """The point on `box`'s border facing `toward`'s centre."""
    cx, cy = box["x"] + box["w"] / 2, box["y"] + box["h"] / 2
    tx, ty = toward["x"] + toward["w"] / 2, toward["y"] + toward["h"] / 2
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(box["w"] / 2 / abs(dx) if dx else float("inf"), box["h"] / 2 / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def _node(box: dict[str, Any]) -> str:
    fill, stroke, ink = COLOURS.get(box["kind"], COLOURS["cut"])
    width = 34 if box["kind"] == "goal" else 30
    lines = _lines(box["label"], width)
    cx = box["x"] + box["w"] / 2
    first = box["y"] + box["h"] / 2 - (len(lines) - 1) * 8 + 5
    deco = ' text-decoration="line-through"' if box["kind"] == "cut" else ""
    weight = "700" if box["kind"] == "goal" else "500"
    texts = "".join(f'<text x="{cx:.0f}" y="{first + i * 16:.0f}" text-anchor="middle" font-size="13" '
                    f'font-weight="{weight}" fill="{ink}"{deco}>{escape(line)}</text>' for i, line in enumerate(lines))
    title = f"<title>{escape(box['label'])}</title>"
    return (f'<g class="graph-node" data-kind={quoteattr(box["kind"])}>{title}'
            f'<rect x="{box["x"]}" y="{box["y"]}" width="{box["w"]}" height="{box["h"]}" rx="12" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>{texts}</g>')


def _edge(edge: dict[str, Any], boxes: dict[str, dict[str, Any]]) -> str:
    start, end = boxes[edge["from"]], boxes[edge["to"]]
    x1, y1 = _anchor(start, end)
    x2, y2 = _anchor(end, start)
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    label = escape(edge.get("label", ""))
    return (f'<g class="graph-edge"><path d="M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}" stroke="#b4b4bd" '
            f'stroke-width="1.5" fill="none" marker-end="url(#arrow)"/>'
            f'<text x="{mx:.0f}" y="{my - 4:.0f}" text-anchor="middle" font-size="11" fill="#8b8d98" '
            f'paint-order="stroke" stroke="#ffffff" stroke-width="4">{label}</text></g>')


def svg_markup(drawn: dict[str, Any]) -> str:
    """SVG for a laid-out graph (see agent.strategy.layout)."""
    boxes = {b["id"]: b for b in drawn["boxes"]}
    width, height = drawn["width"], drawn["height"]
    marker = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
              'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b4b4bd"/></marker></defs>')
    edges = "".join(_edge(e, boxes) for e in drawn["edges"])
    nodes = "".join(_node(b) for b in drawn["boxes"])
    return (f'<svg id="strategy-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="Strategy graph" '
            f'style="font-family: Inter, system-ui, sans-serif; min-width: 720px">{marker}{edges}{nodes}</svg>')


def legend() -> rx.Component:
    return rx.hstack(
        *[rx.hstack(rx.box(width="10px", height="10px", border_radius="3px", background=COLOURS[kind][0],
                           border=f"1.5px solid {COLOURS[kind][1]}"),
                    rx.text(label, size="1", color="var(--gray-11)"), spacing="1", align="center")
          for kind, label in LEGEND],
        spacing="4", flex_wrap="wrap",
    )
