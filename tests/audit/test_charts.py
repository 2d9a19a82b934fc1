"""The geometry of the FG's bar charts (audit.charts): pure functions, no database."""

from datetime import date, timedelta

import pytest

from audit.charts import axis_maximum, short_day, stacked_bars, tick_step

DAYS = [date(2025, 3, 1) + timedelta(days=i) for i in range(10)]


@pytest.mark.parametrize(
    ("value", "step", "maximum"),
    [
        (0, 1, 1),
        (1, 1, 1),
        (5, 1, 5),
        (7, 2, 8),
        (23, 5, 25),
        (100, 20, 100),
        (101, 50, 150),
        (1234, 500, 1500),
    ],
)
def test_axis_uses_round_steps(value, step, maximum):
    """Issue 5: the value axis ends at a whole number of 1-2-5 steps at or above the highest bar."""
    assert tick_step(value) == step
    assert axis_maximum(value) == maximum
    assert axis_maximum(value) >= value


def test_stacked_bar_heights_are_proportional_to_the_counts():
    """Issue 5: each series' rectangle is as high as its count on the axis scale, stacked in
    order; zero draws nothing; every day's stack ends at its total."""
    allowed = [0, 4, 10, 0, 2, 0, 0, 0, 0, 8]
    denied = [0, 1, 0, 3, 0, 0, 0, 0, 0, 2]
    chart = stacked_bars(DAYS, [("allowed", allowed), ("denied", denied)])
    assert chart.maximum == 10
    scale = (chart.bottom - chart.top) / chart.maximum
    drawn = {(b.day, b.series): b for b in chart.bars}
    assert len(chart.bars) == sum(1 for v in allowed + denied if v)
    for i, day in enumerate(DAYS):
        for name, values in (("allowed", allowed), ("denied", denied)):
            if not values[i]:
                assert (day, name) not in drawn
                continue
            bar = drawn[(day, name)]
            assert bar.value == values[i]
            assert bar.height == pytest.approx(values[i] * scale, abs=0.02)
        if allowed[i] and denied[i]:
            # Denied sits on top of allowed: its bottom is allowed's top.
            top_of_allowed = drawn[(day, "allowed")].y
            denied_bar = drawn[(day, "denied")]
            assert denied_bar.y + denied_bar.height == pytest.approx(top_of_allowed, abs=0.02)
        if allowed[i] + denied[i]:
            highest = min(b.y for b in chart.bars if b.day == day)
            assert highest == pytest.approx(
                chart.bottom - (allowed[i] + denied[i]) * scale, abs=0.02
            )


def test_bars_stay_inside_the_plot_and_in_day_order():
    """Issue 5: no bar leaves the plot area; later days are further right."""
    values = [3, 9, 27, 81, 0, 1, 2, 3, 4, 5]
    chart = stacked_bars(DAYS, [("kind", values)], width=400, height=160)
    xs = [b.x for b in chart.bars]
    assert xs == sorted(xs)
    for bar in chart.bars:
        assert chart.left <= bar.x
        assert bar.x + bar.width <= chart.right + 0.01
        assert chart.top - 0.01 <= bar.y
        assert bar.y + bar.height <= chart.bottom + 0.01
    assert chart.view_box == "0 0 400 160"


def test_ticks_run_from_zero_to_the_maximum():
    """Issue 5: grid lines at 0 .. maximum in equal steps, zero at the bottom of the plot."""
    chart = stacked_bars(DAYS, [("kind", [0, 0, 0, 0, 0, 0, 0, 0, 0, 23])])
    assert [t.value for t in chart.ticks] == [0, 5, 10, 15, 20, 25]
    assert chart.ticks[0].y == chart.bottom
    assert chart.ticks[-1].y == chart.top


def test_the_most_recent_day_is_always_labelled():
    """Issue 5: labels every 7th day counted back from the last day."""
    chart = stacked_bars(DAYS, [("kind", [1] * 10)])
    assert [label.text for label in chart.labels] == [short_day(DAYS[2]), short_day(DAYS[9])]
    assert short_day(date(2025, 2, 3)) == "3-2"


def test_an_empty_period_draws_an_empty_chart():
    """Issue 5: no events: no bars, an axis from 0 to 1, no division by zero."""
    chart = stacked_bars(DAYS, [("allowed", [0] * 10), ("denied", [0] * 10)])
    assert chart.bars == ()
    assert chart.maximum == 1


def test_series_must_cover_every_day():
    """Issue 5: a series with a missing day is a programming error, not a silent gap."""
    with pytest.raises(ValueError, match="has 2 values for 10 days"):
        stacked_bars(DAYS, [("allowed", [1, 2])])
