"""What the public site shows: published campaigns by phase, their active tracks and the modules
those teach, the module library. Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.content.models import PublicModule, PublicModuleVersion, Question, Quiz
from app.core.caching import BoundedCache, copy_of, watch
from app.extensions import db
from app.public.models import Campaign, CampaignModule, CampaignTrack, campaign_phase


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


# --- the catalogue as every app server keeps it in memory (core.caching.RevisionedCopy) ---------------


@dataclass(frozen=True)
class ModuleFace:
    """What a module's card shows of its current version."""

    title: dict
    summary: dict
    minutes: int
    icon: str


@dataclass(frozen=True)
class ModuleCard:
    id: int
    slug: str
    current_version: ModuleFace


@dataclass(frozen=True)
class TrackView:
    id: int
    key: str
    title: dict
    description: dict
    quiz_version_id: int | None


@dataclass(frozen=True)
class CampaignView:
    """A published campaign as its public pages show it, with its active tracks and the published
    modules it features and its tracks teach; plain values, shared by every request of a server."""

    id: int
    slug: str
    title: dict
    theme: dict
    summary: dict
    cover: str
    starts_on: date
    ends_on: date
    attempts_per_day: int
    questions_per_play: int
    tracks: tuple[TrackView, ...]
    modules: tuple[ModuleCard, ...]
    track_modules: dict[int, tuple[ModuleCard, ...]]
    # the page's parts that are the same for every visitor, rendered once (public.routes.campaign)
    rendered: BoundedCache = field(default_factory=lambda: BoundedCache(16), compare=False, repr=False)

    def phase(self, today: date) -> str:
        return campaign_phase(self.starts_on, self.ends_on, today)


@dataclass(frozen=True)
class Catalogue:
    campaigns: dict[str, CampaignView]  # by slug
    campaigns_by_id: dict[int, CampaignView]
    modules_by_id: dict[int, ModuleCard]
    modules_by_slug: dict[str, ModuleCard]


# a write to any of these (admin pages, content sync) makes every server rebuild its copy
watch("public", Campaign, CampaignTrack, CampaignModule, PublicModule, PublicModuleVersion, Quiz)


def catalogue() -> Catalogue:
    """The published campaigns and modules, from this server's copy (rebuilt after any write to them)."""
    return copy_of("public", _build_catalogue)


def _card(module: PublicModule) -> ModuleCard:
    v = module.current_version
    return ModuleCard(module.id, module.slug, ModuleFace(v.title, v.summary or {}, v.minutes, v.icon))


def _build_catalogue() -> Catalogue:
    modules = {m.id: _card(m) for m in module_library() if m.current_version is not None}
    campaigns = {}
    for campaign in db.session.scalars(select(Campaign).where(Campaign.published.is_(True))
                                       .options(selectinload(Campaign.tracks).selectinload(CampaignTrack.quiz),
                                                selectinload(Campaign.modules))):
        tracks = active_tracks(campaign)
        teach = track_modules(tracks)
        campaigns[campaign.slug] = CampaignView(
            campaign.id, campaign.slug, campaign.title, campaign.theme, campaign.summary or {}, campaign.cover,
            campaign.starts_on, campaign.ends_on, campaign.attempts_per_day, campaign.questions_per_play,
            tuple(TrackView(t.id, t.key, t.title, t.description or {}, t.quiz.current_version_id) for t in tracks),
            tuple(modules[item.module_id] for item in campaign.modules if item.module_id in modules),
            {track_id: tuple(modules[m.id] for m in items if m.id in modules) for track_id, items in teach.items()},
        )
    return Catalogue(campaigns, {c.id: c for c in campaigns.values()}, modules, {m.slug: m for m in modules.values()})
