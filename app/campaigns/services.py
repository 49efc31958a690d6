"""Campaign administration: created from the bundled files once, then scheduled and edited by content admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.content.models import PublicModule, Quiz
from app.core import audit, signals
from app.core.exceptions import CodedError
from app.core.multilingual import fill_traditional
from app.core.time import utcnow
from app.extensions import db
from app.public.models import Campaign, CampaignModule, CampaignTrack, PublicPlay

MAX_TRACK_ROWS = 6  # rows of the track editor; the content files allow the same number


class CampaignError(CodedError):
    """A campaign that cannot be saved as given (slug taken, dates reversed, no track...)."""


@dataclass
class TrackInput:
    key: str
    title: dict
    description: dict
    quiz: Quiz


@dataclass
class CampaignInput:
    slug: str
    title: dict
    theme: dict
    summary: dict
    cover: str
    starts_on: date
    ends_on: date
    published: bool
    attempts_per_day: int
    questions_per_play: int
    modules: list[PublicModule]
    tracks: list[TrackInput]


@signals.content_synced.connect
def _create_bundled_campaigns(_sender, *, bundle, report) -> None:
    """Bundled campaigns are created once from their files; from then on content admins manage them."""
    for spec in bundle.campaigns.values():
        if create_from_spec(spec) is not None:
            report.created.append(f"campaign {spec.slug}")
        else:
            report.unchanged.append(f"campaign {spec.slug} (managed in /admin/campaigns)")


def create_from_spec(spec) -> Campaign | None:
    """Create a bundled campaign the first time its file is loaded; None when it already exists."""
    if db.session.scalar(select(Campaign.id).where(Campaign.slug == spec.slug)) is not None:
        return None
    modules = {m.slug: m for m in db.session.scalars(select(PublicModule))}
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.slug.like("public/%")))}
    data = CampaignInput(
        slug=spec.slug, title=fill_traditional(spec.title), theme=fill_traditional(spec.theme),
        summary=fill_traditional(spec.summary), cover=spec.cover, starts_on=spec.starts, ends_on=spec.ends,
        published=True, attempts_per_day=spec.attempts_per_day, questions_per_play=spec.questions,
        modules=[modules[slug] for slug, _line in spec.modules],
        tracks=[TrackInput(t.key, fill_traditional(t.title), fill_traditional(t.description), quizzes[t.pool])
                for t in spec.tracks],
    )
    return save(None, data, actor=None)


def save(campaign: Campaign | None, data: CampaignInput, *, actor) -> Campaign:
    """Create (``campaign`` None) or update a campaign; the caller commits."""
    _check(campaign, data)
    created = campaign is None
    if created:
        campaign = Campaign(slug=data.slug)
        db.session.add(campaign)
    for name in ("slug", "title", "theme", "summary", "cover", "starts_on", "ends_on", "published",
                 "attempts_per_day", "questions_per_play"):
        setattr(campaign, name, getattr(data, name))
    current = {item.module_id: item for item in campaign.modules if item.module_id is not None}
    chosen = []
    for position, module in enumerate(data.modules, 1):
        item = current.get(module.id) or CampaignModule(module=module)
        item.position = position
        chosen.append(item)
    campaign.modules = chosen
    campaign.tracks = _tracks(campaign, data.tracks)
    db.session.flush()
    audit.record("campaign.create" if created else "campaign.update", actor=actor, target=campaign.slug,
                 starts=str(campaign.starts_on), ends=str(campaign.ends_on), published=campaign.published)
    return campaign


def _check(campaign: Campaign | None, data: CampaignInput) -> None:
    """Refuse a campaign that cannot run as given (CampaignError says why)."""
    if data.ends_on < data.starts_on:
        raise CampaignError("dates")
    if not data.tracks:
        raise CampaignError("no_track")
    if len({t.key for t in data.tracks}) != len(data.tracks):
        raise CampaignError("duplicate_track")
    for track in data.tracks:
        version = track.quiz.current_version
        if version is None or len(version.questions) < data.questions_per_play:
            raise CampaignError("pool_too_small", pool=track.quiz.slug.removeprefix("public/"),
                                count=len(version.questions) if version else 0)
    taken = db.session.scalar(select(Campaign.id).where(Campaign.slug == data.slug))
    if taken is not None and (campaign is None or taken != campaign.id):
        raise CampaignError("slug_taken")


def _tracks(campaign: Campaign, wanted: list[TrackInput]) -> list[CampaignTrack]:
    """The tracks as given, in order; a dropped track with plays is kept for their history, retired out
    of the picker (one without plays is deleted); a retired track put back is live again."""
    existing = {t.key: t for t in campaign.tracks}
    tracks = []
    for position, item in enumerate(wanted, 1):
        track = existing.get(item.key) or CampaignTrack(key=item.key)
        track.title, track.description, track.quiz, track.position = item.title, item.description, item.quiz, position
        track.retired_at = None
        tracks.append(track)
    keys = {item.key for item in wanted}
    retired = [t for key, t in existing.items() if key not in keys and _has_plays(t)]
    for track in retired:
        track.retired_at = track.retired_at or utcnow()
    return tracks + retired


def _has_plays(track: CampaignTrack) -> bool:
    return track.id is not None and db.session.scalar(
        select(PublicPlay.id).where(PublicPlay.track_id == track.id).limit(1)) is not None


def public_pools() -> list[Quiz]:
    return list(db.session.scalars(select(Quiz).where(Quiz.slug.like("public/%")).order_by(Quiz.slug)))
