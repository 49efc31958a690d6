"""What the public site shows: published campaigns by phase, their active tracks and the modules
those teach, the module library. Read-only."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.content.models import PublicModule, PublicModuleVersion, Question
from app.extensions import db
from app.public.models import Campaign, CampaignModule, CampaignTrack


def active_tracks(campaign: Campaign) -> list[CampaignTrack]:
    return [t for t in campaign.tracks if t.retired_at is None]


def track_modules(tracks: list[CampaignTrack], limit: int = 4) -> dict[int, list[PublicModule]]:
    """For each track, the published modules its question pool teaches most often (what its people meet)."""
    version_of = {t.quiz.current_version_id: t.id for t in tracks if t.quiz.current_version_id}
    if not version_of:
        return {}
    rows = db.session.execute(
        select(Question.quiz_version_id, Question.module, func.count())
        .where(Question.quiz_version_id.in_(version_of), Question.module.is_not(None))
        .group_by(Question.quiz_version_id, Question.module)
    ).all()
    modules = {m.slug: m for m in db.session.scalars(
        select(PublicModule).where(PublicModule.slug.in_({r[1] for r in rows}), PublicModule.published.is_(True))
        .options(selectinload(PublicModule.current_version)))}
    ranked: dict[int, list[tuple[int, str]]] = {}
    for version_id, slug, count in rows:
        if slug in modules:
            ranked.setdefault(version_of[version_id], []).append((-count, slug))
    return {track_id: [modules[slug] for _count, slug in sorted(items)[:limit]] for track_id, items in ranked.items()}


def published_campaign(slug: str) -> Campaign | None:
    return db.session.scalar(
        select(Campaign).where(Campaign.slug == slug, Campaign.published.is_(True))
        .options(selectinload(Campaign.tracks).selectinload(CampaignTrack.quiz),
                 selectinload(Campaign.modules).selectinload(CampaignModule.module)
                 .selectinload(PublicModule.current_version))
    )


def home_listing(today: date) -> dict[str, list[Campaign]]:
    """Published campaigns by phase: running (ending soonest first), upcoming, then the last ended."""
    campaigns = list(db.session.scalars(select(Campaign).where(Campaign.published.is_(True))))
    running = sorted((c for c in campaigns if c.phase(today) == "running"), key=lambda c: c.ends_on)
    upcoming = sorted((c for c in campaigns if c.phase(today) == "upcoming"), key=lambda c: c.starts_on)
    ended = sorted((c for c in campaigns if c.phase(today) == "ended"), key=lambda c: c.ends_on, reverse=True)
    return {"running": running, "upcoming": upcoming, "ended": ended[:6]}


def module_library() -> list[PublicModule]:
    """Published modules with their current version loaded."""
    return list(db.session.scalars(
        select(PublicModule).where(PublicModule.published.is_(True))
        .options(selectinload(PublicModule.current_version)).order_by(PublicModule.id)
    ))


def published_module(slug: str) -> PublicModule | None:
    return db.session.scalar(select(PublicModule).where(PublicModule.slug == slug, PublicModule.published.is_(True))
                             .options(selectinload(PublicModule.current_version)
                                      .selectinload(PublicModuleVersion.practice)))
