"""Server-side SVG charts: no script, no CDN, readable by screen readers (with a table beside them)."""

from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(rows: list[tuple[str, float]], *, label: str, width: int = 560, bar_height: int = 26,
              reference: float | None = None, maximum: float = 100.0, unit: str = "%") -> Markup:
    """Horizontal bars for values from 0 to ``maximum`` (a percentage by default), with an optional
    reference line (e.g. the pass mark)."""
    maximum = maximum or 1.0
    label_width, gap = 150, 10
    plot = width - label_width - 60
    height = len(rows) * (bar_height + gap) + gap
    parts = [_svg_start("chart", width, height, label)]
    for index, (name, value) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        low = reference is not None and value < reference
        parts.append(_bar(name, value, y, label_width, plot, bar_height, maximum, low, unit))
    if reference is not None:
        x = label_width + reference / maximum * plot
        parts.append(f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{height - 2}" class="chart-ref"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _svg_start(classes: str, width: int, height: int, label: str) -> str:
    return (f'<svg class="{classes}" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">')


def _bar(name: str, value: float, y: int, label_width: int, plot: int, bar_height: int, maximum: float, low: bool,
         unit: str) -> str:
    """One bar at ``y``: its label on the left, the track, the bar (marked when below the reference), the value."""
    length = max(0.0, min(maximum, value)) / maximum * plot
    return (
        f'<text x="{label_width - 8}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" '
        f'class="chart-label">{escape(name)}</text>'
        f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" class="chart-track" rx="4"/>'
        f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
        f'class="chart-bar{" chart-bar-low" if low else ""}" rx="4"/>'
        f'<text x="{label_width + plot + 8}" y="{y + bar_height * 0.68:.1f}" class="chart-value">'
        f'{value:.0f}{escape(unit)}</text>'
    )


def line_chart(points: list[tuple[str, float]], *, label: str, width: int = 640, height: int = 220,
               maximum: float = 100.0, unit: str = "%") -> Markup:
    """A line over time (e.g. cumulative completion rate), with first/last labels and a 0–max axis."""
    left, right, top, bottom = 44, 16, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_svg_start("chart chart-line", width, height, label)]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" class="chart-gridline"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="chart-value">'
                     f'{maximum * fraction:.0f}{escape(unit)}</text>')
    if points:
        parts += _series(points, left, top, plot_w, plot_h, maximum, unit)
        parts.append(f'<text x="{left}" y="{height - 8}" class="chart-label">{escape(points[0][0])}</text>'
                     f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end" class="chart-label">'
                     f'{escape(points[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _series(points: list[tuple[str, float]], left: int, top: int, plot_w: int, plot_h: int, maximum: float,
            unit: str) -> list[str]:
    """The line through the points, and a dot on each that names its point and value."""
    step = plot_w / max(len(points) - 1, 1)
    coords = [(left + i * step, top + plot_h * (1 - max(0.0, min(value, maximum)) / maximum))
              for i, (_, value) in enumerate(points)]
    parts = ['<polyline class="chart-path" fill="none" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>']
    for (x, y), (name, value) in zip(coords, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="chart-dot"><title>{escape(name)}: '
                     f'{value:.0f}{escape(unit)}</title></circle>')
    return parts
