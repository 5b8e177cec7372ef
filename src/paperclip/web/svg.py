"""Server-side SVG: the org chart's tree layout and small bar charts. Pure functions returning Markup.

No script in the SVG (CSP), every text escaped; colours come from CSS classes so light and dark
themes both apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 184, 58, 20, 48, 16


@dataclass
class _Node:
    data: dict[str, Any]
    children: list[_Node] = field(default_factory=list)
    width: float = NODE_W  # the subtree's width
    x: float = 0  # the node's left edge
    y: float = 0


def _build(item: dict[str, Any]) -> _Node:
    node = _Node(item, [_build(c) for c in item.get("reports") or []])
    if node.children:
        node.width = max(NODE_W, sum(c.width for c in node.children) + GAP_X * (len(node.children) - 1))
    return node


def _place(node: _Node, left: float, depth: int) -> None:
    node.y = PAD + depth * (NODE_H + GAP_Y)
    node.x = left + (node.width - NODE_W) / 2
    cursor = (
        left
        + (node.width - (sum(c.width for c in node.children) + GAP_X * max(len(node.children) - 1, 0))) / 2
    )
    for child in node.children:
        _place(child, cursor, depth + 1)
        cursor += child.width + GAP_X


def _walk(node: _Node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def org_chart(roots: Sequence[dict[str, Any]], href: Callable[[dict[str, Any]], str]) -> Markup:
    """The reporting tree (`companies.org.org_tree` shape) as an SVG; each node links to `href(node)`.

    Nodes carry `data-agent-id` and a status class so live status updates can restyle them."""
    trees = [_build(r) for r in roots]
    left: float = PAD
    for tree in trees:
        _place(tree, left, 0)
        left += tree.width + GAP_X * 2
    nodes = [n for t in trees for n in _walk(t)]
    width = max(left - GAP_X * 2 + PAD, NODE_W + 2 * PAD)
    height = max((n.y for n in nodes), default=0) + NODE_H + PAD
    parts: list[str] = [
        f'<svg class="org-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="group" aria-label="Org chart">'
    ]
    for node in nodes:  # connectors first, under the boxes
        for child in node.children:
            x1, y1 = node.x + NODE_W / 2, node.y + NODE_H
            x2, y2 = child.x + NODE_W / 2, child.y
            mid = y1 + GAP_Y / 2
            parts.append(f'<path class="org-link" d="M{x1:.0f} {y1:.0f} V{mid:.0f} H{x2:.0f} V{y2:.0f}"/>')
    for node in nodes:
        d = node.data
        status = str(d.get("status") or "idle")
        subtitle = d.get("title") or d.get("role") or ""
        label = f"{d.get('name')}, {subtitle}, {status}" if subtitle else f"{d.get('name')}, {status}"
        parts.append(
            f'<a href="{escape(href(d))}" class="org-node status-{escape(status)}" data-agent-id="{escape(d.get("id"))}" '
            f'aria-label="{escape(label)}">'
            f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="8"/>'
            f'<circle class="org-dot" cx="{node.x + 16:.0f}" cy="{node.y + 20:.0f}" r="5"><title>{escape(status)}</title></circle>'
            f'<text class="org-name" x="{node.x + 28:.0f}" y="{node.y + 24:.0f}">{escape(_clip(str(d.get("name")), 20))}</text>'
            f'<text class="org-sub" x="{node.x + 28:.0f}" y="{node.y + 44:.0f}">{escape(_clip(str(subtitle), 24))}'
            f' · <tspan class="org-status">{escape(status)}</tspan></text></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    points: Sequence[tuple[str, int]],
    *,
    label: str,
    fmt: Callable[[int], str] = str,
    width: int = 720,
    height: int = 180,
    max_labels: int = 10,
) -> Markup:
    """Vertical bars on a fixed-size canvas (scaled by CSS as a whole, text included), the peak value on
    the axis, a tooltip per bar and at most `max_labels` labels under the bars.

    `points`: (label, value)."""
    top, bottom, left, right = 22, 24, 8, 8
    n = max(len(points), 1)
    slot = (width - left - right) / n
    bar_w = max(min(slot * 0.72, 48), 1)
    every = max(1, -(-len(points) // max_labels))
    peak = max((v for _, v in points), default=0)
    plot = height - top - bottom
    summary = f"{label}: " + ", ".join(f"{k} {fmt(v)}" for k, v in points if v) if peak else f"{label}: none"
    parts = [
        f'<svg class="chart bar-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(summary)}">',
        f'<text x="{left}" y="14">{escape(fmt(peak))}</text>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{width - right}" y2="{top}" stroke-dasharray="3 3"/>',
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}"/>',
    ]
    for i, (key, value) in enumerate(points):
        h = 0 if peak <= 0 else max(round(plot * value / peak), 1 if value > 0 else 0)
        x = left + i * slot + (slot - bar_w) / 2
        parts.append(
            f'<rect class="c-accent" x="{x:.1f}" y="{height - bottom - h}" width="{bar_w:.1f}" height="{h}" rx="2">'
            f"<title>{escape(key)}: {escape(fmt(value))}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" text-anchor="middle">{escape(key)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
