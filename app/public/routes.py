"""The public site: campaigns, reading modules and anonymous quiz play (no account needed)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from app.content.models import Question
from app.core import ratelimits
from app.core.caching import app_cache
from app.core.database import run_on_driver
from app.core.forms import ConfirmForm, VerifyForm
from app.core.multilingual import pick
from app.core.redirects import redirect_back
from app.core.templating import current_locale
from app.core.time import business_today
from app.core.urls import public_base
from app.core.visitors import YEAR, csrf, visitor_cookie
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import get_by_code
from app.public import answer_states, attribution, catalog, players, poster, services
from app.public.forms import StartForm
from app.public.models import PublicPlay
from app.public.services import PlayError

bp = Blueprint("public", __name__)

ELDER_COOKIE = "xb_elder"
BRANCH_COOKIE = "xb_branch"  # campaign slug → the signed branch code the visitor came by
BRANCH_CAMPAIGNS = 8  # the most recent ones kept


def play_messages() -> dict[str, str]:
    return {
        "upcoming": _("This campaign has not started yet: come back on the first day."),
        "cap_reached": _("You have used today's plays for this campaign. Your best score counts; come back tomorrow!"),
        "not_yours": _("This play was started on another phone or browser, so it cannot be answered here."),
        "not_drawn": _("That question is not part of this play. Nothing was recorded."),
        "already_answered": _("You have already answered this question; an answer cannot be changed."),
        "bad_choice": _("Please choose an answer first."),
    }


def nickname_messages() -> dict[str, str]:
    return {
        "too_long": _("A nickname has at most %(count)d characters.", count=players.NICKNAME_MAX),
        "characters": _("A nickname may use letters, digits and Chinese characters only."),
        "contact": _("Please do not put a phone number, account or link in your nickname."),
        "banned": _("Please choose another nickname."),
    }


def today():
    return business_today()


def player_key() -> str:
    """The player's key: a hash of their visitor cookie (set on the response when there is none)."""
    return players.player_key(visitor_cookie())


@bp.app_context_processor
def _elder_mode():
    return {"elder_mode": request.cookies.get(ELDER_COOKIE) == "1"}


# --- home, campaigns, modules -------------------------------------------------------------------


@bp.get("/")
def home():
    """The public home page: current and upcoming campaigns and the module library."""
    return render_template("public/home.html", listing=catalog.home_listing(today()),
                           modules=catalog.module_library(), verify_form=VerifyForm(meta={"csrf": False}))


def _campaign_or_404(slug: str) -> catalog.CampaignView:
    campaign = catalog.catalogue().campaigns.get(slug)
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/c/<slug>")
def campaign(slug: str):
    campaign = _campaign_or_404(slug)
    day = today()
    key = player_key()
    phase = campaign.phase(day)
    used = services.plays_today(key, campaign, day)
    return render_template(
        "public/campaign.html", campaign=campaign, phase=phase, parts=_campaign_parts(campaign, phase),
        plays_left=max(campaign.attempts_per_day - used, 0), best=services.best_today(key, campaign, day),
        credit=_credited_unit(campaign),
    )


def _campaign_parts(campaign: catalog.CampaignView, phase: str) -> dict[str, Markup]:
    """The campaign page's parts that are the same for every visitor (head, the start form's fields,
    the modules), rendered once per phase and language and kept with this server's copy of the
    campaign: they go when the catalogue is rebuilt after a change."""
    def render() -> dict[str, Markup]:
        context = {"campaign": campaign, "phase": phase, "tracks": campaign.tracks, "modules": campaign.modules,
                   "track_modules": campaign.track_modules, "form": StartForm(tracks=campaign.tracks, meta={"csrf": False})}
        return {name: Markup(render_template(f"public/_campaign_{name}.html", **context))
                for name in ("head", "form_fields", "modules")}

    return campaign.rendered.get_or_build((phase, current_locale()), render)


def _credited_unit(campaign) -> OrgUnit | None:
    """The unit whose branch link (or lobby QR code) the visitor came by to this campaign, if any."""
    code = _branch_codes().get(campaign.slug)
    unit_code = attribution.verify(current_app.secret_key, campaign.slug, code) if code else None
    return get_by_code(unit_code) if unit_code else None


def _branch_codes() -> dict[str, str]:
    """The signed branch codes the visitor arrived with, by campaign: a cookie of its own (for the
    browser's session, as the credit always was), so that a visitor needs no session for it."""
    pairs = parse_qsl(request.cookies.get(BRANCH_COOKIE, ""))[:BRANCH_CAMPAIGNS]
    return {slug: code for slug, code in pairs if len(code) <= 80}


@bp.get("/c/<slug>/b/<code>")
@ratelimits.limit("PUBLIC_RATE_LIMIT")
def branch_entry(slug: str, code: str):
    """A branch's own link (and lobby QR code): plays started after it are credited to the branch."""
    campaign = _campaign_or_404(slug)
    unit_code = attribution.verify(current_app.secret_key, campaign.slug, code)
    unit = get_by_code(unit_code, active_only=True) if unit_code else None
    response = redirect(url_for("public.campaign", slug=campaign.slug))
    if unit is None:
        current_app.logger.info("branch link refused for campaign %s: %r", slug, code[:80])
        return response
    codes = {campaign.slug: code, **{k: v for k, v in _branch_codes().items() if k != campaign.slug}}
    response.set_cookie(BRANCH_COOKIE, urlencode(list(codes.items())[:BRANCH_CAMPAIGNS]), httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.post("/c/<slug>/play")
@ratelimits.limit("PUBLIC_PLAY_RATE_LIMIT")
@ratelimits.limit("PUBLIC_PLAYS_PER_ADDRESS_PER_DAY")
def start(slug: str):
    campaign = _campaign_or_404(slug)
    tracks = campaign.tracks
    form = StartForm(tracks=tracks)
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("public.campaign", slug=slug))
    try:
        nickname = players.clean_nickname(form.nickname.data)
    except players.NicknameError as error:
        flash(nickname_messages()[error.code], "error")
        return redirect(url_for("public.campaign", slug=slug))
    track = next(t for t in tracks if t.key == form.track.data)
    play = _start_play(campaign, track, nickname, form.region.data)
    if play is None:
        return redirect(url_for("public.campaign", slug=slug))
    token = play.token  # read before the commit expires the record (no reload)
    db.session.commit()
    return redirect(url_for("public.question", token=token, position=1))


def _flash_errors(form: StartForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def _start_play(campaign, track, nickname: str | None, region: str | None) -> PublicPlay | None:
    """A new play of the track, credited to the branch whose link the player came by; None once refused."""
    credit = _credited_unit(campaign)
    try:
        return services.start_campaign_play(
            campaign, track, player_key=player_key(), nickname=nickname,
            region=players.clean_region(region), org_unit_id=credit.id if credit else None, today=today(),
        )
    except PlayError as error:
        flash(play_messages()[error.code], "error")
        return None


@bp.get("/c/<slug>/leaderboard")
def leaderboard(slug: str):
    campaign = _campaign_or_404(slug)
    board = request.args.get("board", "today")
    if board not in ("today", "all"):
        board = "today"
    seconds = current_app.config["PUBLIC_LEADERBOARD_SECONDS"]
    top, mine = services.leaderboard(campaign, day=today() if board == "today" else None,
                                     player_key=player_key(), fresh_for=seconds)
    return render_template("public/leaderboard.html", campaign=campaign, board=board, top=top, mine=mine,
                           seconds=seconds)


@bp.get("/c/<slug>/poster")
def lobby_poster(slug: str):
    """A printable A4 poster with a QR code; with ?b=<branch code> the QR code credits that branch."""
    campaign = _campaign_or_404(slug)
    code = request.args.get("b", "")
    unit = None
    if code:
        unit_code = attribution.verify(current_app.secret_key, campaign.slug, code)
        unit = get_by_code(unit_code) if unit_code else None
        if unit is None:
            abort(404)
    target = url_for("public.branch_entry", slug=slug, code=code) if unit else url_for("public.campaign", slug=slug)
    url = public_base() + target
    return render_template("public/poster_a4.html", campaign=campaign, unit=unit, url=url, qr_svg=poster.qr_svg(url))


@bp.get("/m")
def modules():
    return render_template("public/modules.html", modules=catalog.module_library())


@bp.get("/m/<slug>")
def module(slug: str):
    item = catalog.published_module(slug)
    if item is None:
        abort(404)
    return render_template("public/module.html", module=item, version=item.current_version, form=ConfirmForm())


@bp.post("/m/<slug>/practice")
@ratelimits.limit("PUBLIC_PLAY_RATE_LIMIT")
def practice(slug: str):
    item = catalog.published_module(slug)
    if item is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    play = services.start_module_practice(item, player_key=player_key(), today=today())
    db.session.commit()
    return redirect(url_for("public.question", token=play.token, position=1))


@bp.post("/elder")
def elder():
    """Switch the elder-friendly mode (large text, high contrast, one action per screen) on or off."""
    form = ConfirmForm()
    response = redirect_back(request.form.get("next"), "public.home")
    if form.validate_on_submit():
        if request.cookies.get(ELDER_COOKIE) == "1":
            response.delete_cookie(ELDER_COOKIE)
        else:
            response.set_cookie(ELDER_COOKIE, "1", max_age=YEAR, samesite="Lax", httponly=True)
    return response


# --- playing ---------------------------------------------------------------------------------------


def _play_or_404(token: str) -> PublicPlay:
    play = services.play_by_token(token)
    if play is None:
        abort(404)
    return play


@bp.get("/p/<token>/<int:position>")
def question(token: str, position: int):
    """One question per screen; once answered, the same screen shows right or wrong and why."""
    found = run_on_driver(lambda connection: services.read_play_page(connection, token))
    if found is None:
        abort(404)
    play, answered = found
    if not 1 <= position <= play.question_count:
        abort(404)
    first_open = services.next_position(play, answered)
    if position not in answered and first_open is not None and position > first_open:
        return redirect(url_for("public.question", token=token, position=first_open))
    drawn = play.question_at(position)
    item = services.question_shown(drawn.question_id)
    key = player_key()
    mine = services.player_key_matches(play, key)
    # the page's script loads the next question in place: the question alone, without the layout
    template = "public/_question.html" if _from_script() else "public/question.html"
    response = make_response(render_template(
        template, play=play, position=position, question=item, options=_option_texts(item, drawn.order),
        order=drawn.order, answer=answered.get(position), mine=mine, context=_page_context(play),
        answer_token=players.answer_token(current_app.secret_key, token, key) if mine else None,
        next_url=_next_url(token, position, play.question_count),
    ))
    response.vary.add("X-Requested-With")  # the same address answers a page or a fragment
    return response


def _page_context(play: services.PlayPage | PublicPlay) -> dict:
    """A play page's title and way back, from the catalogue (the play's records when not in it)."""
    shelf = catalog.catalogue()
    campaign = shelf.campaigns_by_id.get(play.campaign_id) if play.campaign_id else None
    track = next((t for t in campaign.tracks if t.id == play.track_id), None) if campaign else None
    if campaign is not None and (track is not None or play.track_id is None):
        return {"title": campaign.title, "track": track.title if track else None,
                "back_url": url_for("public.campaign", slug=campaign.slug), "campaign": campaign}
    module = shelf.modules_by_id.get(play.module_id) if play.module_id else None
    if module is not None:
        return {"title": module.current_version.title, "track": None,
                "back_url": url_for("public.module", slug=module.slug), "campaign": None}
    return _play_context(db.session.get(PublicPlay, play.id))  # a retired track, an unpublished module...


def _option_texts(item: Question | services.Shown, order: list[str]) -> list | None:
    """The options' texts in the order this play shows them (none for a true-or-false question)."""
    texts = {key: texts for key, texts in item.options}
    return [texts.get(key) for key in order] if item.kind != "truefalse" else None


def _next_url(token: str, position: int, count: int) -> str:
    if position < count:
        return url_for("public.question", token=token, position=position + 1)
    return url_for("public.result", token=token)


@bp.post("/p/<token>/<int:position>")
@csrf.exempt  # checked below: the play's own token, or the session's as on every other form
def submit(token: str, position: int):
    ratelimits.hit("public-answer", "PUBLIC_ANSWER_RATE_LIMIT")
    key = player_key()
    if not players.answer_token_matches(request.form.get("csrf_token", ""), current_app.secret_key, token, key):
        csrf.protect()  # a page shown before answer tokens existed; else the friendly CSRF error page
    shown = request.form.get("question", "")
    try:
        if not shown.isdigit() or len(shown) > 12:
            raise PlayError("not_drawn")
        recorded = run_on_driver(lambda connection: services.record_answer(
            connection, token, position, int(shown), request.form.getlist("choice"), player_key=key,
            min_seconds=current_app.config["PUBLIC_MIN_SECONDS_PER_QUESTION"]))
    except PlayError as error:
        return _answer_refused(token, position, error.code)
    if recorded is None:
        abort(404)
    if _from_script():
        return _answered(recorded.play, position, recorded.outcome)
    return redirect(url_for("public.question", token=token, position=position), code=303)


def _from_script() -> bool:
    """The answer was posted by the page's script, which shows the answered state in place."""
    return request.headers.get("X-Requested-With") == "fetch"


def _answered(play: services.PlayRef, position: int, outcome: services.Outcome):
    """The answered state of the question alone (verdict, the options marked, why, the way on): with
    JavaScript, answering costs this one request instead of a POST, a redirect and the page again.
    Rendered once per question, option order, choice and language on this server (public/answer_states.py)."""
    drawn = play.question_at(position)
    last = position >= play.question_count
    key = (drawn.question_id, tuple(drawn.order), outcome.choice, current_locale(), last)

    def render() -> str:
        item = services.question_shown(drawn.question_id)
        answer = services.Answered(",".join(outcome.choice), outcome.correct, outcome.points)
        return render_template("public/_answer_review.html", play=play, position=position, question=item,
                               options=_option_texts(item, drawn.order), order=drawn.order, answer=answer,
                               next_url=answer_states.NEXT_URL_SLOT)

    html = app_cache("public_answered", current_app.config["PUBLIC_RENDERED_ANSWERS"]).get_or_build(key, render)
    return answer_states.with_next_url(html, _next_url(play.token, position, play.question_count))


def _refused(play: PublicPlay | services.PlayRef, code: str):
    return render_template("public/refused.html", play=play, message=play_messages()[code]), 400


def _answer_refused(token: str, position: int, code: str):
    """The reply to an answer the play refused: with the script, 409 (it then posts the form itself and
    the page says why); else the question again with a message (none for the same answer sent twice)."""
    play = services.play_for_answer(token)
    if play is None:
        abort(404)
    if _from_script():
        return {"error": code}, 409
    if code == "not_drawn":
        return _refused(play, code)
    if code != "already_answered" or not _same_answer_again(play, position):
        flash(play_messages()[code], "error")
    if code == "already_answered" and request.accept_mimetypes.best == "application/json":
        return {"error": code}, 409
    return redirect(url_for("public.question", token=token, position=position), code=303)


def _same_answer_again(play, position: int) -> bool:
    """A double submit of the same choice is not an error for the player: it simply counted once."""
    existing = services.answers_of(play).get(position)
    if existing is None:
        return False
    order = play.question_at(position).order
    raw = request.form.getlist("choice")
    chosen = {order[int(i)] for i in raw if i.isdigit() and int(i) < len(order)}
    return ",".join(sorted(chosen)) == existing.choice


@bp.get("/p/<token>/result")
def result(token: str):
    play = services.play_record(token)
    if play is None:
        abort(404)
    answered = services.answers_of(play)
    missing = services.next_position(play, answered)
    if missing is not None:
        return redirect(url_for("public.question", token=token, position=missing))
    if play.finished_at is None:  # scored after the last answer, unless that step was lost
        services.finish(play, answered, min_seconds=current_app.config["PUBLIC_MIN_SECONDS_PER_QUESTION"])
        db.session.commit()
    missed, to_read = services.missed_and_modules(play, answered, catalog.catalogue().modules_by_slug)
    context = _page_context(play)
    campaign = context["campaign"]
    key = player_key()
    return render_template(
        "public/result.html", play=play, answered=answered, missed=missed, to_read=to_read, context=context,
        mine=services.player_key_matches(play, key), message=_score_message(play.percent or 0),
        plays_left=max(campaign.attempts_per_day - services.plays_today(key, campaign, today()), 0)
        if campaign else None,
    )


@bp.get("/p/<token>/poster.png")
@ratelimits.limit("PUBLIC_RATE_LIMIT")
def poster_png(token: str):
    play = _play_or_404(token)
    if play.finished_at is None:
        abort(404)
    png = _poster_png(play)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = f'inline; filename="xiaobao-{token[:8]}.png"'
    return response


def _poster_png(play: PublicPlay) -> bytes:
    """The play's result poster in the visitor's language (503 when no CJK font is installed)."""
    context = _play_context(play)
    url = public_base() + context["back_url"]
    locale = current_locale()
    try:
        return poster.render(
            campaign_title=pick(context["title"], locale), headline=_("My anti-fraud quiz score"),
            score=str(round(play.percent or 0)), unit=_("points"),
            detail=_("%(right)d of %(total)d right · %(seconds)d s", right=_right_count(play), total=play.question_count,
                     seconds=play.seconds or 0),
            message=_score_message(play.percent or 0), url=url, scan_hint=_("Scan to take the quiz yourself"),
            brand=_("Xiaobao Academy · financial literacy"),
        )
    except poster.FontMissing:
        current_app.logger.error("poster: no CJK font installed (apt-get install fonts-noto-cjk)")
        abort(503)


@bp.get("/p/<token>/share")
def share(token: str):
    play = _play_or_404(token)
    if play.finished_at is None:
        return redirect(url_for("public.result", token=token))
    return render_template("public/share.html", play=play, context=_play_context(play))


def _right_count(play: PublicPlay) -> int:
    return sum(1 for a in services.answers_of(play).values() if a.correct)


def _score_message(percent: float) -> str:
    if percent >= 100:
        return _("Perfect! No scam gets past you. Share the tips with your family.")
    if percent >= 80:
        return _("Well done! You can spot most scams. Read up on the ones you missed.")
    if percent >= 60:
        return _("Not bad, but a few tricks still fool you. Read the tips and try again.")
    return _("Scammers are cunning. Read the short modules and try again: it only takes a few minutes.")


def _play_context(play: PublicPlay) -> dict:
    """Title and way back for a play: its campaign (and track) or its module."""
    if play.campaign is not None:
        return {"title": play.campaign.title, "track": play.track.title if play.track else None,
                "back_url": url_for("public.campaign", slug=play.campaign.slug), "campaign": play.campaign}
    module = play.module
    return {"title": module.current_version.title if module and module.current_version else {},
            "track": None, "back_url": url_for("public.module", slug=module.slug) if module else url_for("public.home"),
            "campaign": None}

