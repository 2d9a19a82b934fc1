"""Geometry of the FG's bar charts: day counts in, rectangles, ticks and labels out.

Pure functions on plain numbers, so that what the SVG shows can be tested without a request or
a template (and checked against the data table beside it). The template only draws what these
return; the charts need no JavaScript (issue 5: readable without it).
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

# The drawing area in SVG user units; the SVG scales to its container through its viewBox.
WIDTH = 720
HEIGHT = 260
# Room for the tick labels on the left and the day labels at the bottom.
MARGIN_LEFT = 48
MARGIN_RIGHT = 8
MARGIN_TOP = 12
MARGIN_BOTTOM = 28
# The gap between two bars as a share of a day's slot.
BAR_GAP = 0.2
# At most this many horizontal grid lines (besides zero).
MAX_TICKS = 5


@dataclass(frozen=True)
class Bar:
    """One rectangle: the part of one day's bar that belongs to one series."""

    x: float
    y: float
    width: float
    height: float
    series: str
    day: date
    value: int


@dataclass(frozen=True)
class Tick:
    """A horizontal grid line at `value`, drawn at height `y`."""

    value: int
    y: float


@dataclass(frozen=True)
class DayLabel:
    """A label under the bar of one day, centred at `x`."""

    x: float
    text: str


@dataclass(frozen=True)
class BarChart:
    """Everything the template draws for one (stacked) bar chart."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    maximum: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[DayLabel, ...]

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute."""
        return f"0 0 {self.width} {self.height}"

    @property
    def tick_x(self) -> float:
        """Where the tick labels end (they are right-aligned left of the plot)."""
        return self.left - 6

    @property
    def label_y(self) -> float:
        """The baseline of the day labels under the plot."""
        return self.bottom + 18


def tick_step(value: int, max_ticks: int = MAX_TICKS) -> int:
    """The smallest step of 1, 2 or 5 times a power of ten that covers `value` in `max_ticks`.

    Round steps keep the grid readable: 0, 5, 10, 15, 20 rather than 0, 4.6, 9.2 ...
    """
    if value <= max_ticks:
        return 1
    magnitude = 10 ** math.floor(math.log10(value / max_ticks))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if math.ceil(value / step) <= max_ticks:
            return step
    return 10 * magnitude  # pragma: no cover - the loop always ends at factor 10


def axis_maximum(value: int, max_ticks: int = MAX_TICKS) -> int:
    """The top of the value axis: `value` rounded up to whole tick steps (at least 1)."""
    step = tick_step(value, max_ticks)
    return max(step, step * math.ceil(value / step))


def ticks(maximum: int, y_of: Callable[[float], float], max_ticks: int = MAX_TICKS) -> list[Tick]:
    """Grid lines from 0 to `maximum` in round steps."""
    step = tick_step(maximum, max_ticks)
    return [Tick(value=v, y=round(y_of(v), 2)) for v in range(0, maximum + 1, step)]


def short_day(day: date) -> str:
    """The default day label: "3-2" for 3 February (day-month, as Dutch readers write it)."""
    return f"{day.day}-{day.month}"


def stacked_bars(
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    label: Callable[[date], str] = short_day,
    label_every: int = 7,
) -> BarChart:
    """A bar per day, each bar stacked from the series in the given order (bottom first).

    `series` is a list of (name, one count per day). A day's bar is as high as the sum of its
    counts; zero counts draw no rectangle. Every `label_every`-th day (from the last one back,
    so that the most recent day is always labelled) gets a label under its bar.
    """
    for name, values in series:
        if len(values) != len(days):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(days)} days")
    left, top = float(MARGIN_LEFT), float(MARGIN_TOP)
    right, bottom = float(width - MARGIN_RIGHT), float(height - MARGIN_BOTTOM)
    totals = [sum(values[i] for _, values in series) for i in range(len(days))]
    maximum = axis_maximum(max(totals, default=0))

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / maximum

    slot = (right - left) / max(len(days), 1)
    bar_width = round(slot * (1 - BAR_GAP), 2)
    bars: list[Bar] = []
    labels: list[DayLabel] = []
    for i, day in enumerate(days):
        x = round(left + slot * i + slot * BAR_GAP / 2, 2)
        stacked = 0
        for name, values in series:
            value = values[i]
            if value > 0:
                y_top, y_bottom = y_of(stacked + value), y_of(stacked)
                bars.append(
                    Bar(
                        x=x,
                        y=round(y_top, 2),
                        width=bar_width,
                        height=round(y_bottom - y_top, 2),
                        series=name,
                        day=day,
                        value=value,
                    )
                )
            stacked += value
        if (len(days) - 1 - i) % label_every == 0:
            labels.append(DayLabel(x=round(x + bar_width / 2, 2), text=label(day)))
    return BarChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        maximum=maximum,
        bars=tuple(bars),
        ticks=tuple(ticks(maximum, y_of)),
        labels=tuple(labels),
    )
