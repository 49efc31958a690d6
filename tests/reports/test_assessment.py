"""The assessment formula."""

from __future__ import annotations

import pytest

from app.reports.assessment import Formula

FORMULA = Formula({"completion": 0.6, "exam": 0.3, "scenario": 0.1}, 0.5)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((2, 2, 0, 90.0, 80.0), 0.6 * 100 + 0.3 * 90 + 0.1 * 80),
        ((2, 1, 1, 90.0, 80.0), 0.6 * 75 + 0.3 * 90 + 0.1 * 80),   # a late completion earns half
        ((2, 0, 0, None, None), 0.0),                                # required, nothing done
        ((2, 2, 0, 100.0, None), round((0.6 * 100 + 0.3 * 100) / 0.9, 1)),  # no role-play: reweighted
        ((0, 0, 0, None, None), None),                               # nothing required or measured
    ],
)
def test_score(args, expected):
    if expected is None:
        assert FORMULA.score(*args) is None
    else:
        assert FORMULA.score(*args) == pytest.approx(expected, abs=0.05)
