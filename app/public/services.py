"""Anonymous public quiz play: start, answer one question at a time, finish, leaderboards.

The server holds every answer key: a question's key and explanation leave the server only in the
response to that question's answer. Each answer is one INSERT guarded by a unique key, so a second
answer to the same question (a re-answer or a double submit) is refused and records nothing.
"""

from __future__ import annotations

import hmac
import random
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.content.models import PublicModule, Question, QuizVersion
from app.core.caching import TimedCache, app_cache
from app.core.database import Prepared
from app.core.exceptions import CodedError
from app.core.time import utcnow
from app.extensions import db
from app.public.models import Campaign, DrawnQuestion, PublicAnswer, PublicPlay, drawn_at
from app.public.players import mask
from app.quizzes import engine


class PlayError(CodedError):
    """A refused play action: upcoming, cap_reached, not_yours, not_drawn, already_answered, bad_choice..."""


def option_order(kind: str, options: list) -> list[str]:
    """The option keys in the order the question shows them (public questions keep the author's order:
    their explanations may say "the first two")."""
    if kind == "truefalse":
        return list(engine.TRUEFALSE_VALUES)
    return [option[0] for option in options]


def plays_today(player_key: str, campaign: Campaign, today: date) -> int:
    return db.session.scalar(
        select(func.count(PublicPlay.id)).where(
            PublicPlay.player_key == player_key, PublicPlay.campaign_id == campaign.id, PublicPlay.day == today
        )
    ) or 0


def start_campaign_play(campaign, track, *, player_key: str, nickname: str | None,
                        region: str | None, org_unit_id: int | None, today: date,
                        rng: random.Random | None = None) -> PublicPlay:
    """Draw a new play for one track; refused before the start and over the daily cap.

    ``campaign`` and ``track`` are records or the public catalogue's views of them (catalog.py).
    After the end the quiz stays playable for practice, but the play no longer counts on boards.
    """
    phase = campaign.phase(today)
    if phase == "upcoming":
        raise PlayError("upcoming")
    keys = version_keys(track.quiz_version_id)
    rng = rng or random.SystemRandom()
    for _attempt in range(campaign.attempts_per_day + 1):
        used = plays_today(player_key, campaign, today)
        if used >= campaign.attempts_per_day:
            raise PlayError("cap_reached", cap=campaign.attempts_per_day)
        play = _play_of(player_key, track.quiz_version_id,
                        rng.sample(keys, min(campaign.questions_per_play, len(keys))), today)
        play.campaign_id, play.track_id, play.org_unit_id, play.seq = campaign.id, track.id, org_unit_id, used + 1
        play.nickname, play.region, play.counts = nickname, region, phase == "running"
        try:
            with db.session.begin_nested():
                db.session.add(play)
            return play
        except IntegrityError:  # a parallel start took this number first: count again
            continue
    raise PlayError("cap_reached", cap=campaign.attempts_per_day)


def version_keys(version_id: int) -> list[list]:
    """What a play keeps of each question of a quiz version (DrawnQuestion.to_json()), in order: read
    once per server (a version never changes)."""
    def read() -> list[list]:
        version = db.session.get(QuizVersion, version_id)
        return [_drawn(q) for q in version.questions]

    return list(app_cache("public_version_keys", 256).get_or_build(version_id, read))


def _drawn(q: Question) -> list:
    # Options keep the author's order and letters: public explanations name options by letter
    # ("the tempting one is C"), and the key is safe on the server whatever the order.
    # Each entry also keeps the question's kind and key (server side only), so that grading an
    # answer needs no second query.
    return DrawnQuestion(q.id, tuple(option_order(q.kind, q.options)), q.kind, frozenset(q.answer)).to_json()


def start_module_practice(module: PublicModule, *, player_key: str, today: date) -> PublicPlay:
    """A practice play of a module's own questions, in their order; never on any board."""
    version = module.current_version.practice
    play = _new_play(player_key, version, list(version.questions), today)
    play.module_id = module.id
    db.session.add(play)
    db.session.flush()
    return play


def _new_play(player_key: str, version: QuizVersion, questions: list[Question], today: date) -> PublicPlay:
    return _play_of(player_key, version.id, [_drawn(q) for q in questions], today)


def _play_of(player_key: str, version_id: int, drawn: list[list], today: date) -> PublicPlay:
    return PublicPlay(token=secrets.token_urlsafe(24), player_key=player_key, quiz_version_id=version_id,
                      day=today, drawn=drawn, question_count=len(drawn), started_at=utcnow())


@dataclass(frozen=True)
class PlayRef:
    """What answering needs of a play, read without the ORM (the public hot path)."""

    id: int
    token: str
    player_key: str
    finished_at: datetime | None
    question_count: int
    drawn: list
    started_at: datetime

    def question_at(self, position: int) -> DrawnQuestion | None:
        return drawn_at(self.drawn, position)


_plays = PublicPlay.__table__
_PLAY_FOR_ANSWER = select(_plays.c.id, _plays.c.token, _plays.c.player_key, _plays.c.finished_at,
                          _plays.c.question_count, _plays.c.drawn, _plays.c.started_at
                          ).where(_plays.c.token == bindparam("token"))
_INSERT_ANSWER = insert(PublicAnswer.__table__)


_questions = Question.__table__
_QUESTION_SHOWN = select(_questions.c.id, _questions.c.kind, _questions.c.stem, _questions.c.options,
                         _questions.c.answer, _questions.c.explanation, _questions.c.module
                         ).where(_questions.c.id == bindparam("id"))


@dataclass(frozen=True)
class Shown:
    """What a play's pages show of a question, read without the ORM (the public hot path)."""

    id: int
    kind: str
    stem: dict
    options: list
    answer: list
    explanation: dict
    module: str | None  # the slug of the public module that teaches it


def question_shown(question_id: int) -> Shown:
    """A question as a play shows it: read once per server (a question never changes once written)."""
    def read() -> Shown:
        return Shown(*db.session.connection().execute(_QUESTION_SHOWN, {"id": question_id}).one())

    return app_cache("public_questions", 4096).get_or_build(question_id, read)


@dataclass(frozen=True)
class PlayPage(PlayRef):
    """A play as its question pages show it: what answering needs, and what it belongs to."""

    campaign_id: int | None
    track_id: int | None
    module_id: int | None


_PLAY_PAGE = Prepared(select(*_PLAY_FOR_ANSWER.selected_columns, _plays.c.campaign_id, _plays.c.track_id,
                             _plays.c.module_id).where(_plays.c.token == bindparam("token")))
_ANSWERS_SHOWN = Prepared(select(PublicAnswer.__table__.c.position, PublicAnswer.__table__.c.choice,
                                 PublicAnswer.__table__.c.correct, PublicAnswer.__table__.c.points)
                          .where(PublicAnswer.__table__.c.play_id == bindparam("play_id")))


def _is_play_token(token: str) -> bool:
    """Could be a play's token as its URLs carry it (the column holds 64 characters): else no query."""
    return bool(token) and len(token) <= 64


def _play_row(connection, statement: Prepared, token: str) -> tuple[object, tuple] | None:
    """(the cursor, the play's row) read with ``statement`` on a driver connection; None without one."""
    if not _is_play_token(token):
        return None
    cursor = connection.cursor()
    found = statement.rows(cursor, db.engine.dialect, {"token": token})
    return (cursor, found[0]) if found else None


def read_play_page(connection, token: str) -> tuple[PlayPage, dict[int, Answered]] | None:
    """The play with this token and its answers by position, on a driver connection (two statements;
    the caller runs it with core.database.run_on_driver)."""
    if (found := _play_row(connection, _PLAY_PAGE, token)) is None:
        return None
    cursor, row = found
    play = PlayPage(*row)
    rows = _ANSWERS_SHOWN.rows(cursor, db.engine.dialect, {"play_id": play.id})
    return play, {position: Answered(choice, correct, points) for position, choice, correct, points in rows}


def play_for_answer(token: str) -> PlayRef | None:
    if not _is_play_token(token):
        return None
    row = db.session.connection().execute(_PLAY_FOR_ANSWER, {"token": token}).first()
    return PlayRef(*row) if row else None


def play_record(token: str) -> PublicPlay | None:
    """The play with this token alone (its campaign or module come from the catalogue)."""
    if not _is_play_token(token):
        return None
    return db.session.scalar(select(PublicPlay).where(PublicPlay.token == token))


def play_by_token(token: str) -> PublicPlay | None:
    if not _is_play_token(token):
        return None
    # the campaign and track (or module) come with it: every page of a play names them
    return db.session.scalar(select(PublicPlay).where(PublicPlay.token == token)
                             .options(joinedload(PublicPlay.campaign), joinedload(PublicPlay.track),
                                      joinedload(PublicPlay.module)))


@dataclass(frozen=True)
class Outcome:
    correct: bool
    points: float
    choice: tuple[str, ...]


@dataclass(frozen=True)
class Answered:
    """An answer as the answered state of a question shows it (the shape of a stored PublicAnswer)."""

    choice: str  # option keys, sorted, comma-separated
    correct: bool
    points: float


def answer(play: PublicPlay | PlayRef, position: int, question_id: int, indexes: list[str], *, player_key: str) -> Outcome:
    """Grade and record the answer to question ``position`` (1-based) of the play, in the session's
    transaction (the caller commits); the public endpoint uses ``record_answer``.

    Refused, recording nothing: someone else's play, a question not drawn at that position, an
    empty or impossible choice, a question already answered (also the second of a double submit).
    """
    outcome = _graded(play, position, question_id, indexes, player_key)
    try:
        db.session.connection().execute(_INSERT_ANSWER, _answer_row(play, position, question_id, outcome))
    except IntegrityError:
        db.session.rollback()  # the failed INSERT ends the transaction on PostgreSQL; nothing else was written
        raise PlayError("already_answered") from None
    return outcome


def _graded(play: PublicPlay | PlayRef, position: int, question_id: int, indexes: list[str], player_key: str) -> Outcome:
    if play.player_key != player_key:
        raise PlayError("not_yours")
    if play.finished_at is not None:
        raise PlayError("already_answered")
    drawn = play.question_at(position)
    if drawn is None or drawn.question_id != question_id:
        raise PlayError("not_drawn")
    order = drawn.order
    chosen = set()
    for raw in indexes:
        if not raw.isdigit() or int(raw) >= len(order):
            raise PlayError("bad_choice")
        chosen.add(order[int(raw)])
    response = engine.clean_response(drawn.kind, chosen, order)
    if not response or len(response) != len(chosen):
        raise PlayError("bad_choice")
    points = float(engine.grade(drawn.kind, drawn.answer, response))
    return Outcome(frozenset(response) == drawn.answer, points, tuple(sorted(response)))


def _answer_row(play: PublicPlay | PlayRef, position: int, question_id: int, outcome: Outcome) -> dict:
    return {"play_id": play.id, "position": position, "question_id": question_id, "choice": ",".join(outcome.choice),
            "correct": outcome.correct, "points": outcome.points, "answered_at": utcnow()}


_answers = PublicAnswer.__table__
_ANSWERED_BEFORE = (select(func.count()).select_from(_answers).where(_answers.c.play_id == _plays.c.id)
                    .scalar_subquery())
_PLAY_ROW = Prepared(select(*_PLAY_FOR_ANSWER.selected_columns, _ANSWERED_BEFORE)
                     .where(_plays.c.token == bindparam("token")))
_ANSWER_ROW = Prepared(insert(_answers).inline().values(
    {name: bindparam(name) for name in ("play_id", "position", "question_id", "choice", "correct", "points",
                                        "answered_at")}))
_ANSWERS_SO_FAR = Prepared(select(_answers.c.points, _answers.c.answered_at).where(
    _answers.c.play_id == bindparam("play_id")))
_FINISH = Prepared(update(_plays).where(_plays.c.id == bindparam("play_id"), _plays.c.finished_at.is_(None)).values(
    points=bindparam("score_points"), percent=bindparam("score_percent"), seconds=bindparam("score_seconds"),
    finished_at=bindparam("score_finished_at"), plausible=bindparam("score_plausible")))


@dataclass(frozen=True)
class Recorded:
    play: PlayRef
    outcome: Outcome


def record_answer(connection, token: str, position: int, question_id: int, indexes: list[str], *,
                  player_key: str, min_seconds: float = 2.0) -> Recorded | None:
    """The public answer endpoint's hot path, on a driver connection in autocommit (the caller runs it
    with core.database.run_on_driver): read the play (with how many answers it has), grade, record
    (one INSERT, committed as it runs; the unique position refuses a second), and score the play after
    its last answer (one guarded UPDATE) — Core statements compiled once (Prepared). None when no play
    has this token; refusals as ``answer``'s, recording nothing.

    Of two last answers of one play sent at once, the one that reads the answers last sees both (each
    was committed before its own read). A play whose scoring was lost all the same (a crash between
    the INSERT and the UPDATE) is scored by its result page (``finish``)."""
    if (found := _play_row(connection, _PLAY_ROW, token)) is None:
        return None
    dialect = db.engine.dialect
    cursor, (*fields, answered_before) = found
    play = PlayRef(*fields)
    outcome = _graded(play, position, question_id, indexes, player_key)
    try:
        _ANSWER_ROW.run(cursor, dialect, _answer_row(play, position, question_id, outcome))
    except dialect.loaded_dbapi.IntegrityError:
        raise PlayError("already_answered") from None
    if answered_before + 1 >= play.question_count:
        answers = _ANSWERS_SO_FAR.rows(cursor, dialect, {"play_id": play.id})
        if len(answers) >= play.question_count:
            result = score(play.started_at, play.question_count, answers, min_seconds=min_seconds)
            _FINISH.run(cursor, dialect, {"play_id": play.id, **{f"score_{k}": v for k, v in asdict(result).items()}})
    return Recorded(play, outcome)


def answers_of(play: PublicPlay) -> dict[int, PublicAnswer]:
    """The play's answers by position."""
    rows = db.session.scalars(select(PublicAnswer).where(PublicAnswer.play_id == play.id))
    return {row.position: row for row in rows}


def next_position(play: PublicPlay, answered: dict[int, PublicAnswer]) -> int | None:
    """The first unanswered question, or None when every drawn question is answered."""
    for position in range(1, play.question_count + 1):
        if position not in answered:
            return position
    return None


@dataclass(frozen=True)
class Score:
    points: float
    percent: float
    seconds: int
    finished_at: datetime
    plausible: bool


def score(started_at: datetime, question_count: int, answers: list[tuple[float, datetime]], *,
          min_seconds: float) -> Score:
    """A finished play's score from its answers' (points, answered at).

    A play with an answer that came less than ``min_seconds`` after the one before it (or after
    the start) is scored but marked implausible: nobody reads a question that fast, so it stays
    off the leaderboards."""
    times = sorted(at for _points, at in answers)
    points = round(sum(p for p, _at in answers), 4)
    gaps = [(later - earlier).total_seconds() for earlier, later in zip([started_at, *times], times, strict=False)]
    return Score(points=points, percent=round(points * 100 / question_count, 2) if question_count else 0.0,
                 seconds=max(int((times[-1] - started_at).total_seconds()), 1), finished_at=times[-1],
                 plausible=min(gaps, default=min_seconds) >= min_seconds)


def finish(play: PublicPlay, answered: dict[int, PublicAnswer], *, min_seconds: float = 2.0) -> PublicPlay:
    """Score the play once all its questions are answered (idempotent); the caller commits."""
    if play.finished_at is not None or next_position(play, answered) is not None:
        return play
    result = score(play.started_at, play.question_count, [(a.points, a.answered_at) for a in answered.values()],
                   min_seconds=min_seconds)
    for name, value in asdict(result).items():
        setattr(play, name, value)
    return play


def missed_and_modules(play: PublicPlay, answered: dict[int, PublicAnswer],
                       modules: dict[str, object]) -> tuple[list[Shown], list]:
    """The questions answered wrongly, in play order, and of ``modules`` (published ones by slug) those
    that teach them."""
    missed = [question_shown(answered[p].question_id) for p in sorted(answered) if not answered[p].correct]
    slugs = dict.fromkeys(q.module for q in missed if q.module)
    return missed, [modules[slug] for slug in slugs if slug in modules]


@dataclass(frozen=True)
class BoardRow:
    rank: int
    nickname: str | None
    region: str | None
    percent: float
    seconds: int
    is_me: bool


def leaderboard(campaign, *, day: date | None = None, limit: int = 20, player_key: str | None = None,
                fresh_for: float = 0.0) -> tuple[list[BoardRow], BoardRow | None]:
    """Each player's best counted play (highest score, then fastest), the top ``limit``, and the
    asking player's own row even when outside the top.

    The top rows are the same for every reader: with ``fresh_for`` seconds they are ranked once per
    server in that time (a 3·15 evening's readers cost one ranking a server every few seconds); the
    asking player's own row is always read now, so a player sees their new best at once."""
    ranked = _ranked(campaign.id, day)

    def read_top() -> list:
        return list(db.session.execute(select(ranked).where(ranked.c.rank <= limit).order_by(ranked.c.rank)))

    top_rows = (app_cache("public_leaderboards", 256, TimedCache).get_or_build((campaign.id, day, limit), read_top,
                                                                                 fresh_for)
                if fresh_for > 0 else read_top())

    def row(r) -> BoardRow:
        return BoardRow(r.rank, mask(r.nickname), r.region, r.percent, r.seconds, r.player_key == player_key)

    top = [row(r) for r in top_rows]
    mine = None
    if player_key and not any(r.is_me for r in top) and _has_counted_play(campaign.id, player_key, day):
        found = db.session.execute(select(ranked).where(ranked.c.player_key == player_key)).first()
        mine = row(found) if found else None
    return top, mine


def _board_filters(campaign_id: int, day: date | None) -> list:
    filters = [PublicPlay.campaign_id == campaign_id, PublicPlay.counts.is_(True), PublicPlay.plausible.is_(True),
               PublicPlay.finished_at.is_not(None)]
    if day is not None:
        filters.append(PublicPlay.day == day)
    return filters


def _has_counted_play(campaign_id: int, player_key: str, day: date | None) -> bool:
    return db.session.scalar(select(PublicPlay.id).where(*_board_filters(campaign_id, day),
                                                         PublicPlay.player_key == player_key).limit(1)) is not None


def _ranked(campaign_id: int, day: date | None):
    ranked_per_player = (
        select(PublicPlay.player_key, PublicPlay.nickname, PublicPlay.region, PublicPlay.percent,
               PublicPlay.seconds, PublicPlay.finished_at,
               func.row_number().over(partition_by=PublicPlay.player_key,
                                      order_by=(PublicPlay.percent.desc(), PublicPlay.seconds.asc(),
                                                PublicPlay.finished_at.asc())).label("best"))
        .where(*_board_filters(campaign_id, day)).subquery()
    )
    return (
        select(ranked_per_player.c.player_key, ranked_per_player.c.nickname, ranked_per_player.c.region,
               ranked_per_player.c.percent, ranked_per_player.c.seconds,
               func.row_number().over(order_by=(ranked_per_player.c.percent.desc(), ranked_per_player.c.seconds.asc(),
                                                ranked_per_player.c.finished_at.asc())).label("rank"))
        .where(ranked_per_player.c.best == 1).subquery()
    )


def best_today(player_key: str, campaign: Campaign, today: date) -> float | None:
    return db.session.scalar(
        select(func.max(PublicPlay.percent)).where(
            PublicPlay.player_key == player_key, PublicPlay.campaign_id == campaign.id, PublicPlay.day == today,
            PublicPlay.finished_at.is_not(None))
    )


def player_key_matches(play: PublicPlay, key: str) -> bool:
    """Whether the visitor holds the cookie the play was started with (only they may answer)."""
    return hmac.compare_digest(play.player_key, key)
