"""Server-side SVG charts: no script, no CDN, readable by screen readers (with a table beside them)."""

from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(rows: list[tuple[str, float]], *, label: str, width: int = 560, bar_height: int = 26,
              reference: float | None = None) -> Markup:
    """Horizontal bars for values from 0 to 100, with an optional reference line (e.g. the pass mark)."""
    label_width, gap = 150, 10
    plot = width - label_width - 60
    height = len(rows) * (bar_height + gap) + gap
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (name, value) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        length = max(0.0, min(100.0, value)) / 100 * plot
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" '
            f'class="chart-label">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" class="chart-track" rx="4"/>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'class="chart-bar{" chart-bar-low" if reference is not None and value < reference else ""}" rx="4"/>'
            f'<text x="{label_width + plot + 8}" y="{y + bar_height * 0.68:.1f}" class="chart-value">{value:.0f}%</text>'
        )
    if reference is not None:
        x = label_width + reference / 100 * plot
        parts.append(f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{height - 2}" class="chart-ref"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
