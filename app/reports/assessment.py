"""The assessment score fed into performance assessment (绩效考核). Pure Python.

    completion points = 100 × (completed on time + late_credit × completed late) / required
    assessment score  = weighted mean of completion points, average exam score and average
                        role-play score, over the parts the employee has (a part with no data
                        is left out and the remaining weights are scaled up)

Defaults (settings ASSESSMENT_WEIGHTS and ASSESSMENT_LATE_CREDIT): completion 0.6, exam 0.3,
role-play 0.1; a late completion earns half the points of one on time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

DEFAULT_WEIGHTS = {"completion": 0.6, "exam": 0.3, "scenario": 0.1}
DEFAULT_LATE_CREDIT = 0.5


@dataclass(frozen=True)
class Formula:
    weights: dict[str, float]
    late_credit: float

    @classmethod
    def from_config(cls, config) -> Formula:
        return cls(dict(config.get("ASSESSMENT_WEIGHTS") or DEFAULT_WEIGHTS),
                   float(config.get("ASSESSMENT_LATE_CREDIT", DEFAULT_LATE_CREDIT)))

    def score(self, required: int, on_time: int, late: int, exam: float | None, scenario: float | None) -> float | None:
        """The assessment score from 0 to 100, or None when nothing was required or measured."""
        parts = {}
        if required:
            parts["completion"] = 100 * (on_time + self.late_credit * late) / required
        if exam is not None:
            parts["exam"] = exam
        if scenario is not None:
            parts["scenario"] = scenario
        weight = sum(self.weights.get(name, 0) for name in parts)
        if not weight:
            return None
        return round(sum(self.weights.get(name, 0) * value for name, value in parts.items()) / weight, 1)


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    """One employee's assessment figures for a period: a row of the export, a snapshot when locked."""

    employee_no: str | None
    name: str
    org_name: str
    position: str | None
    required: int
    on_time: int
    late: int
    missing: int
    exam_average: float | None
    scenario_average: float | None
    score: float | None

    def cells(self) -> list:
        """The row as the export writes it, in the order of its headers."""
        return [getattr(self, name) for name in self.__slots__]  # the fields, in order (slots=True)

    @classmethod
    def from_record(cls, record) -> AssessmentRow:
        """The row of a frozen snapshot (any object with these attributes)."""
        return cls(**{f.name: getattr(record, f.name) for f in fields(cls)})
