"""Campaign analytics for the bank: every figure is an SQL aggregate over plays and answers.

The analytics page and its XLSX export both read these functions, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, select

from app.content.models import Question
from app.extensions import db
from app.org.models import OrgUnit
from app.public.models import Campaign, CampaignTrack, PublicAnswer, PublicPlay


@dataclass(frozen=True)
class Figures:
    plays: int
    finished: int
    players: int
    average: float | None

    @property
    def completion(self) -> float | None:
        return self.finished * 100 / self.plays if self.plays else None


def _figures(row) -> Figures:
    return Figures(int(row.plays or 0), int(row.finished or 0), int(row.players or 0),
                   float(row.average) if row.average is not None else None)


def _columns():
    return (
        func.count(PublicPlay.id).label("plays"),
        func.count(PublicPlay.finished_at).label("finished"),
        func.count(func.distinct(PublicPlay.player_key)).label("players"),
        func.avg(PublicPlay.percent).label("average"),
    )


def summary(campaign: Campaign) -> Figures:
    row = db.session.execute(select(*_columns()).where(PublicPlay.campaign_id == campaign.id)).one()
    return _figures(row)


def credited(campaign: Campaign) -> int:
    return db.session.scalar(select(func.count(PublicPlay.id)).where(
        PublicPlay.campaign_id == campaign.id, PublicPlay.org_unit_id.is_not(None))) or 0


def per_day(campaign: Campaign) -> list[tuple]:
    """(day, figures) for each day with plays, oldest first."""
    rows = db.session.execute(
        select(PublicPlay.day, *_columns()).where(PublicPlay.campaign_id == campaign.id)
        .group_by(PublicPlay.day).order_by(PublicPlay.day)
    )
    return [(row.day, _figures(row)) for row in rows]


def per_track(campaign: Campaign) -> list[tuple]:
    rows = db.session.execute(
        select(CampaignTrack.title, *_columns()).join(CampaignTrack, CampaignTrack.id == PublicPlay.track_id)
        .where(PublicPlay.campaign_id == campaign.id)
        .group_by(CampaignTrack.id).order_by(CampaignTrack.position)
    )
    return [(row.title, _figures(row)) for row in rows]


def per_region(campaign: Campaign) -> list[tuple]:
    """(region or None, figures), most plays first."""
    rows = db.session.execute(
        select(PublicPlay.region, *_columns()).where(PublicPlay.campaign_id == campaign.id)
        .group_by(PublicPlay.region).order_by(func.count(PublicPlay.id).desc(), PublicPlay.region)
    )
    return [(row.region, _figures(row)) for row in rows]


def per_unit(campaign: Campaign, parent: OrgUnit | None) -> list[tuple]:
    """Plays credited under each child of ``parent`` (each top unit when None), whole subtrees."""
    child = OrgUnit.__table__.alias("child")
    credited_unit = OrgUnit.__table__.alias("credited")
    condition = child.c.parent_id == parent.id if parent is not None else child.c.parent_id.is_(None)
    stmt = (
        select(child.c.id, child.c.code, child.c.name, child.c.kind, *_columns())
        .select_from(child)
        .join(credited_unit, credited_unit.c.path.like(child.c.path + literal("%")))
        .join(PublicPlay, and_(PublicPlay.org_unit_id == credited_unit.c.id, PublicPlay.campaign_id == campaign.id))
        .where(condition)
        .group_by(child.c.id, child.c.code, child.c.name, child.c.kind)
    )
    found = {row.id: row for row in db.session.execute(stmt)}
    children = db.session.execute(select(child.c.id, child.c.code, child.c.name, child.c.kind).where(condition)
                                  .order_by(child.c.code))
    result = []
    for unit in children:
        row = found.get(unit.id)
        result.append((unit, _figures(row) if row else Figures(0, 0, 0, None)))
    return result


def direct_at(campaign: Campaign, unit: OrgUnit) -> Figures:
    """Plays credited to ``unit`` itself (not to a unit below it)."""
    row = db.session.execute(select(*_columns()).where(PublicPlay.campaign_id == campaign.id,
                                                       PublicPlay.org_unit_id == unit.id)).one()
    return _figures(row)


def sub_branch_participation(campaign: Campaign, limit: int | None = None) -> list[tuple]:
    """Every credited unit with its plays, most first: which sub-branches are reaching people."""
    stmt = (
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, *_columns())
        .join(PublicPlay, PublicPlay.org_unit_id == OrgUnit.id)
        .where(PublicPlay.campaign_id == campaign.id)
        .group_by(OrgUnit.id, OrgUnit.code, OrgUnit.name)
        .order_by(func.count(PublicPlay.id).desc(), OrgUnit.code)
    )
    if limit:
        stmt = stmt.limit(limit)
    return [(row, _figures(row)) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class QuestionFigures:
    question: Question
    answers: int
    wrong: int
    top_wrong_choice: str | None
    top_wrong_count: int

    @property
    def wrong_share(self) -> float | None:
        return self.wrong * 100 / self.answers if self.answers else None


def per_question(campaign: Campaign) -> list[QuestionFigures]:
    """Per question answered in the campaign: answers, share wrong, most-chosen wrong answer;
    the questions the public gets wrong most come first."""
    in_campaign = select(PublicPlay.id).where(PublicPlay.campaign_id == campaign.id).scalar_subquery()
    totals = db.session.execute(
        select(PublicAnswer.question_id, func.count(PublicAnswer.id).label("answers"),
               func.sum(case((PublicAnswer.correct.is_(False), 1), else_=0)).label("wrong"))
        .where(PublicAnswer.play_id.in_(in_campaign)).group_by(PublicAnswer.question_id)
    ).all()
    choices = db.session.execute(
        select(PublicAnswer.question_id, PublicAnswer.choice, func.count(PublicAnswer.id).label("n"))
        .where(PublicAnswer.play_id.in_(in_campaign), PublicAnswer.correct.is_(False))
        .group_by(PublicAnswer.question_id, PublicAnswer.choice)
    ).all()
    top: dict[int, tuple[str, int]] = {}
    for row in choices:
        best = top.get(row.question_id)
        if best is None or row.n > best[1] or (row.n == best[1] and row.choice < best[0]):
            top[row.question_id] = (row.choice, row.n)
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_([r.question_id for r in totals])))}
    result = [
        QuestionFigures(questions[r.question_id], int(r.answers), int(r.wrong or 0),
                        *(top.get(r.question_id) or (None, 0)))
        for r in totals
    ]
    result.sort(key=lambda f: (-(f.wrong_share or 0), -f.answers, f.question.key))
    return result


def choice_text(question: Question, choice: str | None, locale: str = "zh_Hans", true_false=("对", "错")) -> str:
    """The option texts of a stored choice ("A,C" → "A. … / C. …")."""
    if not choice:
        return ""
    if question.kind == "truefalse":
        return true_false[0] if choice == "true" else true_false[1]
    texts = {key: value for key, value in question.options}
    parts = []
    for key in choice.split(","):
        value = texts.get(key) or {}
        parts.append(f"{key}. {value.get(locale) or value.get('zh_Hans', '')}")
    return " / ".join(parts)


def campaign_list_figures() -> dict[int, Figures]:
    rows = db.session.execute(select(PublicPlay.campaign_id, *_columns()).where(PublicPlay.campaign_id.is_not(None))
                              .group_by(PublicPlay.campaign_id))
    return {row.campaign_id: _figures(row) for row in rows}

