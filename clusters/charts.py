"""The coverage chart, drawn on the server as inline SVG: per year, a bar stacked by category."""

from dataclasses import dataclass, field

PALETTE = ["#417690", "#e07b39", "#5a9f4c", "#b84a62", "#8064a2", "#c9a227", "#3b9ab2", "#7f7f7f"]
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 40, 24, 10


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    labels: list[tuple[float, float, str]] = field(default_factory=list)  # (x, y, text)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, text)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, category)
    axis_y: float = HEIGHT - BOTTOM


def coverage_chart(report) -> Chart | None:
    """Articles per year per category (top-level clusters) of a coverage report; None when empty."""
    categories = [row for row in report.rows if row.depth == 0]
    years = [(i, y) for i, y in enumerate(report.years) if y is not None]
    totals = [sum(row.counts[i] for row in categories) for i, _y in years]
    if not years or not any(totals):
        return None
    chart = Chart()
    top = max(totals)
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / len(years)
    bar = min(48.0, slot * 0.7)
    for n, (i, year) in enumerate(years):
        x = LEFT + n * slot + (slot - bar) / 2
        y = HEIGHT - BOTTOM
        for c, row in enumerate(categories):
            count = row.counts[i]
            if not count:
                continue
            h = plot_height * count / top
            y -= h
            chart.rects.append(
                Rect(round(x, 1), round(y, 1), round(bar, 1), round(h, 1), PALETTE[c % len(PALETTE)],
                     f"{year} · {row.cluster.name}: {count}")
            )
        chart.labels.append((round(x + bar / 2, 1), HEIGHT - 6, str(year)))
    for fraction in (0, 0.5, 1):
        chart.ticks.append((round(HEIGHT - BOTTOM - plot_height * fraction, 1), str(round(top * fraction))))
    chart.legend = [(PALETTE[c % len(PALETTE)], row.cluster.name) for c, row in enumerate(categories)]
    return chart
