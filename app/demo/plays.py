"""Demo public plays, so that a fresh demo shows campaign analytics with something in them.

Plays go through the same services as real players: drawn, answered, finished. They are dated
over the campaign's days so far and credited to demo branches and sub-branches.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.org.models import OrgUnit
from app.public import players, services
from app.public.catalog import active_tracks
from app.public.models import Campaign, PublicPlay

NICKNAMES = ("小林", "阿强", "王阿姨", "李老师", "张大爷", "陈同学", "刘姐", "小周", "赵叔", "孙同学", "周奶奶", "吴哥")


def seed_plays(today: date, *, count: int = 160, rng_seed: int = 315) -> int:
    """Add ``count`` demo plays to each running campaign that has none yet; returns how many."""
    rng = random.Random(rng_seed)
    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True), OrgUnit.depth >= 1)))
    added = 0
    for campaign in db.session.scalars(select(Campaign).where(Campaign.published.is_(True))):
        if campaign.phase(today) != "running":
            continue
        if db.session.scalar(select(func.count(PublicPlay.id)).where(PublicPlay.campaign_id == campaign.id)):
            continue
        tracks = active_tracks(campaign)
        for index in range(count):
            _seed_play(campaign, tracks, index, units, today, rng)
            added += 1
    return added


def _seed_play(campaign: Campaign, tracks: list, index: int, units: list[OrgUnit], today: date,
               rng: random.Random) -> None:
    """One play on a day of the campaign so far, by one of 110 demo players; answered, finished and committed."""
    key = players.player_key(f"demo-player-{campaign.id}-{index % 110:03d}-xxxxxxxx")
    day = campaign.starts_on + timedelta(days=rng.randint(0, max((today - campaign.starts_on).days, 0)))
    play = services.start_campaign_play(
        campaign, rng.choice(tracks), player_key=key,
        nickname=rng.choice(NICKNAMES) if rng.random() < 0.6 else None,
        region=rng.choice(players.REGIONS[:12]) if rng.random() < 0.8 else None,
        org_unit_id=rng.choice(units).id if units and rng.random() < 0.7 else None, today=day, rng=rng)
    _answer(play, key, rng)
    shift = play.started_at - timedelta(days=(today - day).days)
    play.started_at = shift
    for answer in services.answers_of(play).values():
        answer.answered_at = shift + timedelta(seconds=20 * answer.position + rng.randint(0, 15))
    services.finish(play, services.answers_of(play))
    db.session.commit()


def _answer(play: PublicPlay, key: str, rng: random.Random) -> None:
    """Most players answer every question, some stop early; each has a skill that decides how often they are right."""
    answered = play.question_count if rng.random() < 0.85 else rng.randint(1, play.question_count - 1)
    skill = rng.uniform(0.45, 0.95)
    for position in range(1, answered + 1):
        drawn = play.question_at(position)
        right = [str(i) for i, option in enumerate(drawn.order) if option in drawn.answer]
        wrong = [str(i) for i, option in enumerate(drawn.order) if option not in drawn.answer]
        choice = right if (rng.random() < skill or not wrong) else [rng.choice(wrong)]
        services.answer(play, position, drawn.question_id, choice, player_key=key)
