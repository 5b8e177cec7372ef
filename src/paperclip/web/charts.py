"""Charts drawn on the server as SVG (no JS, no inline styles: colours come from CSS classes)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

W, H, PAD_L, PAD_B, PAD_T = 420, 150, 34, 18, 8


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step:
            return step
    return value


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    title: str,
    percent: bool = False,
) -> Markup:
    """Days along x; each series (name, css class, values) stacked. `title` is the accessible name."""
    n = max(len(labels), 1)
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    top = 100 if percent else _nice_max(max(totals, default=0))
    plot_w, plot_h = W - PAD_L - 4, H - PAD_B - PAD_T
    slot = plot_w / n
    bar = max(slot * 0.7, 1)
    out = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0, 0.5, 1):
        y = PAD_T + plot_h * (1 - frac)
        value = top * frac
        text = f"{value:.0f}%" if percent else (f"{value:.0f}" if value == int(value) else f"{value:.1f}")
        out.append(f'<line class="axis" x1="{PAD_L}" x2="{W - 4}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text x="{PAD_L - 4}" y="{y + 3:.1f}" text-anchor="end">{text}</text>')
    for i, label in enumerate(labels):
        x = PAD_L + slot * i + (slot - bar) / 2
        y = PAD_T + plot_h
        parts = []
        for name, css, values in series:
            v = values[i]
            if v <= 0:
                continue
            h = plot_h * v / top
            y -= h
            parts.append(f"{name}: {v:g}")
            out.append(
                f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" rx="1.5">'
                f"<title>{escape(label)} · {escape(name)}: {v:g}</title></rect>"
            )
        if (n - 1 - i) % max(n // 7, 1) == 0:  # anchored on the last day
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{H - 4}" text-anchor="middle">{escape(label[5:])}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def legend(series: Sequence[tuple[str, str]]) -> Markup:
    items = "".join(f'<span><i class="{css}"></i>{escape(name)}</span>' for name, css in series)
    return Markup(f'<div class="legend">{items}</div>')


def hbar(items: Sequence[tuple[str, str, float]], *, title: str) -> Markup:
    """One horizontal bar split into parts (name, css class, value): a distribution at a glance."""
    total = sum(v for _, _, v in items) or 1
    out = [
        f'<svg class="chart" viewBox="0 0 {W} 18" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    x = 0.0
    for name, css, v in items:
        if v <= 0:
            continue
        w = W * v / total
        out.append(
            f'<rect class="{css}" x="{x:.1f}" y="0" width="{w:.1f}" height="18"><title>{escape(name)}: {v:g}</title></rect>'
        )
        x += w
    out.append("</svg>")
    return Markup("".join(out))
