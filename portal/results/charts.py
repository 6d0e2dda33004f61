"""Charts drawn on the server as SVG geometry (no script, no CDN): the ranked list's scores with
their intervals and the award cut line, and each judge's severity. Plain data in, plain data
out; the templates only place the shapes."""
from dataclasses import dataclass

LABEL_WIDTH = 100     # the left margin, for the reference (ZZCF-2014-0002)
PLOT_WIDTH = 400
ROW_HEIGHT = 16
TOP = 24              # the axis labels
TICKS = 5


@dataclass(frozen=True)
class Dot:
    """One proposal: its score at (x, y), its interval from x_low to x_high (None without)."""

    label: str
    y: float
    x: float
    x_low: float | None
    x_high: float | None
    flagged: bool


@dataclass(frozen=True)
class ScoreChart:
    width: int
    height: int
    dots: tuple
    ticks: tuple          # (x, text) along the top
    cut_y: float | None   # the award cut line, between the last row inside and the first outside
    left: int = LABEL_WIDTH
    right: int = LABEL_WIDTH + PLOT_WIDTH


def _position(value, low, high):
    value = min(max(value, low), high)
    return LABEL_WIDTH + (value - low) / (high - low) * PLOT_WIDTH if high > low else LABEL_WIDTH


def score_chart(points, scale, boundary):
    """`points`: (label, rank, score, low, high, flagged) in the list's order, scores within
    `scale` (lowest, highest); the cut line falls below the last row ranked within `boundary`."""
    low, high = float(scale[0]), float(scale[1])
    dots, cut_y = [], None
    for index, (label, rank, score, score_low, score_high, flagged) in enumerate(points):
        if score is None:
            continue
        y = TOP + (len(dots) + 0.5) * ROW_HEIGHT
        dots.append(Dot(label, y, _position(float(score), low, high),
                        None if score_low is None else _position(float(score_low), low, high),
                        None if score_high is None else _position(float(score_high), low, high),
                        flagged))
        if rank is not None and rank <= boundary:
            cut_y = y + ROW_HEIGHT / 2
    if cut_y is not None and cut_y >= TOP + len(dots) * ROW_HEIGHT:
        cut_y = None   # every row shown is inside: no line to draw
    step = (high - low) / (TICKS - 1)
    ticks = tuple((_position(low + i * step, low, high), f"{low + i * step:g}")
                  for i in range(TICKS))
    return ScoreChart(LABEL_WIDTH + PLOT_WIDTH + 10, int(TOP + len(dots) * ROW_HEIGHT + 8),
                      tuple(dots), ticks, cut_y)


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    x: float          # where the bar starts
    width: float
    value: str        # "+0.42"
    lenient: bool     # above the common level


@dataclass(frozen=True)
class SeverityChart:
    width: int
    height: int
    zero_x: float
    bars: tuple


def severity_chart(judges):
    """`judges`: (name, bias) pairs; a bar from 0 to each judge's bias (points above the common
    level: right is lenient, left is strict), on a scale symmetric around 0."""
    largest = max((abs(bias) for _name, bias in judges), default=0) or 1
    half = PLOT_WIDTH / 2
    zero = LABEL_WIDTH * 2 + half
    bars = []
    for index, (name, bias) in enumerate(judges):
        length = abs(bias) / largest * half
        bars.append(Bar(name, TOP + index * ROW_HEIGHT, zero if bias >= 0 else zero - length,
                        length, f"{bias:+.2f}", bias > 0))
    return SeverityChart(int(zero + half + 50), int(TOP + len(bars) * ROW_HEIGHT + 8), zero,
                         tuple(bars))
