"""Role-play runs and the replies chosen in them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from app.content.models import ScenarioVersion
from app.core.models import UTCDateTime, enum_column, percent_check
from app.core.time import utcnow
from app.extensions import db


class RunStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class ScenarioRun(db.Model):
    """One play-through of a scenario by a learner; the path is the ScenarioDecision rows."""

    __tablename__ = "scenario_runs"
    __table_args__ = (percent_check("percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    # secret per run: orders each node's replies and keys them (content.scenario_graph.reply_order)
    seed: Mapped[str] = mapped_column(String(32), default="", server_default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus), default=RunStatus.IN_PROGRESS)
    current: Mapped[str] = mapped_column(String(100))
    steps: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ending: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    competency_percent: Mapped[dict] = mapped_column(JSON, default=dict)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    red_line: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    scenario_version: Mapped[ScenarioVersion] = relationship()
    decisions: WriteOnlyMapped[ScenarioDecision] = relationship(
        back_populates="run", order_by="ScenarioDecision.step"
    )


class ScenarioDecision(db.Model):
    """One reply chosen in a run: which node, which choice, when."""

    __tablename__ = "scenario_decisions"
    __table_args__ = (
        UniqueConstraint("run_id", "step"),
        Index("ix_scenario_decisions_version_node", "scenario_version_id", "node_id", "choice_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scenario_runs.id"), index=True)
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    step: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(100))
    choice_index: Mapped[int] = mapped_column(Integer)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    run: Mapped[ScenarioRun] = relationship(back_populates="decisions")
