"""Campaigns and anonymous public quiz plays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content.models import PublicModule, Question, Quiz, QuizVersion
from app.core.models import UTCDateTime, percent_check, position_check
from app.core.time import utcnow
from app.extensions import db
from app.org.models import OrgUnit


class Campaign(db.Model):
    """A public education campaign (3·15, the September literacy month, an anti-fraud drive...).

    Dates are local calendar days, both inclusive. Bundled campaigns are created from
    ``campaigns/*.yaml`` once; after that content admins own them in /admin/campaigns.
    """

    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[dict] = mapped_column(JSON)
    theme: Mapped[dict] = mapped_column(JSON)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    cover: Mapped[str] = mapped_column(String(40), default="default")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts_per_day: Mapped[int] = mapped_column(Integer, default=3)
    questions_per_play: Mapped[int] = mapped_column(Integer, default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    modules: Mapped[list[CampaignModule]] = relationship(
        order_by="CampaignModule.position", cascade="all, delete-orphan"
    )
    tracks: Mapped[list[CampaignTrack]] = relationship(
        order_by="CampaignTrack.position", cascade="all, delete-orphan"
    )

    def phase(self, today: date) -> str:
        return campaign_phase(self.starts_on, self.ends_on, today)


def campaign_phase(starts_on: date, ends_on: date, today: date) -> str:
    """upcoming, running or ended on ``today`` (a local date); both days inclusive."""
    if today < starts_on:
        return "upcoming"
    return "running" if today <= ends_on else "ended"


class CampaignModule(db.Model):
    """A reading module featured by a campaign."""

    __tablename__ = "campaign_modules"
    __table_args__ = (UniqueConstraint("campaign_id", "module_id"), position_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("public_modules.id"))
    position: Mapped[int] = mapped_column(Integer)

    module: Mapped[PublicModule] = relationship()


class CampaignTrack(db.Model):
    """A persona track (elderly, student...) that draws from its own question pool."""

    __tablename__ = "campaign_tracks"
    __table_args__ = (UniqueConstraint("campaign_id", "key"), position_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    position: Mapped[int] = mapped_column(Integer)
    # set when the track was dropped from its campaign after people had played it: kept for their
    # plays and the figures, out of the picker
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    quiz: Mapped[Quiz] = relationship()

    @property
    def quiz_version_id(self) -> int | None:
        """The quiz version a play of this track draws from (its quiz's current one)."""
        return self.quiz.current_version_id


class PublicPlay(db.Model):
    """One anonymous play of a campaign quiz or a module's practice questions.

    ``token`` is the unguessable id in the play's URLs; ``player_key`` is a hash of the player's
    cookie, used for the daily attempt cap and the leaderboard. No personal data is stored.
    """

    __tablename__ = "public_plays"
    __table_args__ = (
        Index("ix_public_plays_campaign_day", "campaign_id", "day"),
        Index("ix_public_plays_player", "player_key", "campaign_id", "day"),
        # the daily cap holds in the database: two parallel starts cannot take the same number
        UniqueConstraint("player_key", "campaign_id", "day", "seq"),
        percent_check("percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    player_key: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_tracks.id"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("public_modules.id"))
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    nickname: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    counts: Mapped[bool] = mapped_column(Boolean, default=False)
    # the play's number for this player, campaign and day (1 … the daily cap); None for module practice
    seq: Mapped[int | None] = mapped_column(Integer)
    # False when answers came faster than anyone reads a question: scored, but kept off the boards
    plausible: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # the questions drawn, as DrawnQuestion.to_json() lists: never sent to players
    drawn: Mapped[list] = mapped_column(JSON)
    question_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    points: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[int | None] = mapped_column(Integer)

    campaign: Mapped[Campaign | None] = relationship()
    track: Mapped[CampaignTrack | None] = relationship()
    module: Mapped[PublicModule | None] = relationship()
    quiz_version: Mapped[QuizVersion] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship()

    def question_at(self, position: int) -> DrawnQuestion | None:
        """The question drawn at ``position`` (1-based), or None outside the play."""
        return drawn_at(self.drawn, position)


class PublicAnswer(db.Model):
    """The one answer to one drawn question of a play (the unique key refuses a second)."""

    __tablename__ = "public_answers"
    __table_args__ = (
        UniqueConstraint("play_id", "position"),
        Index("ix_public_answers_question", "question_id", "correct", "choice"),
        position_check(),
        CheckConstraint("points >= 0 AND points <= 1", name="points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    play_id: Mapped[int] = mapped_column(ForeignKey("public_plays.id"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    choice: Mapped[str] = mapped_column(String(20))  # option keys chosen, sorted, comma-separated
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship()


@dataclass(frozen=True, slots=True)
class DrawnQuestion:
    """One question of a play as drawn, kept with the play on the server so that answering it needs no
    second query: its option keys in the order shown, its kind and its answer key."""

    question_id: int
    order: tuple[str, ...]
    kind: str
    answer: frozenset[str]

    def to_json(self) -> list:
        return [self.question_id, list(self.order), self.kind, sorted(self.answer)]

    @classmethod
    def from_json(cls, item: list) -> DrawnQuestion:
        question_id, order, kind, answer = item
        return cls(int(question_id), tuple(order), kind, frozenset(answer))


def drawn_at(drawn: list, position: int) -> DrawnQuestion | None:
    """The question at ``position`` (1-based) of a play's stored list, or None outside it."""
    return DrawnQuestion.from_json(drawn[position - 1]) if 1 <= position <= len(drawn) else None
