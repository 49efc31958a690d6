"""/admin/campaigns: content admins schedule campaigns and follow what the public gets wrong."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.auth.decorators import role_required
from app.auth.models import Role
from app.campaigns import analytics, services
from app.campaigns.forms import CampaignForm
from app.campaigns.services import MAX_TRACK_ROWS, CampaignError, CampaignInput, TrackInput
from app.campaigns.xlsx import campaign_workbook
from app.content.models import PublicModule, Quiz
from app.core import audit
from app.core.charts import bar_chart, line_chart
from app.core.forms import ConfirmForm
from app.core.multilingual import fill_traditional, pick
from app.core.templating import current_locale
from app.core.time import business_today
from app.core.urls import public_base
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import get_by_code
from app.public import attribution, catalog
from app.public.models import Campaign

bp = Blueprint("campaign_admin", __name__, url_prefix="/admin/campaigns")

COVERS = ("shield", "consumer-day", "literacy", "default")


def _errors() -> dict[str, str]:
    return {
        "dates": _("The last day is before the first day."),
        "no_track": _("Add at least one track: a key, a title and a question pool."),
        "duplicate_track": _("Two tracks have the same key."),
        "pool_too_small": _("A question pool has fewer questions than a play draws."),
        "slug_taken": _("Another campaign already uses this address."),
    }


def _today():
    return business_today()


def _campaign_or_404(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


@bp.get("")
@role_required(Role.CONTENT_ADMIN)
def index():
    items = list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())))
    return render_template("campaigns/index.html", campaigns=items, figures=analytics.campaign_list_figures(),
                           today=_today())


def _prepare(form: CampaignForm) -> tuple[list[PublicModule], list[Quiz]]:
    locale = current_locale()
    modules = catalog.module_library()
    pools = services.public_pools()
    form.cover.choices = [SelectChoice(c, c) for c in COVERS]
    form.modules.choices = [SelectChoice(m.slug, pick(m.current_version.title, locale)) for m in modules]
    pool_choices = [SelectChoice("", "—")] + [
        SelectChoice(q.slug, f"{pick(q.current_version.titles, locale) or q.current_version.title} "
                             f"({len(q.current_version.questions)})") for q in pools if q.current_version]
    for entry in form.tracks.entries:
        entry.form.pool.choices = pool_choices
    return modules, pools


def _input(form: CampaignForm, modules, pools) -> CampaignInput:
    by_slug = {m.slug: m for m in modules}
    quizzes = {q.slug: q for q in pools}
    tracks = []
    for entry in form.tracks.entries:
        data = entry.form
        if data.key.data and data.title.data and data.pool.data in quizzes:
            tracks.append(TrackInput(data.key.data, fill_traditional({"zh_Hans": data.title.data.strip()}),
                                     fill_traditional({"zh_Hans": (data.description.data or "").strip()})
                                     if data.description.data else {}, quizzes[data.pool.data]))
    title = {"zh_Hans": form.title.data.strip()}
    if form.title_en.data:
        title["en"] = form.title_en.data.strip()
    return CampaignInput(
        slug=form.slug.data.strip(), title=fill_traditional(title), theme=fill_traditional({"zh_Hans": form.theme.data.strip()}),
        summary=fill_traditional({"zh_Hans": form.summary.data.strip()}) if form.summary.data else {},
        cover=form.cover.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        published=bool(form.published.data), attempts_per_day=form.attempts_per_day.data,
        questions_per_play=form.questions_per_play.data,
        modules=[by_slug[s] for s in form.modules.data if s in by_slug], tracks=tracks,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.CONTENT_ADMIN)
def new():
    form = CampaignForm()
    if request.method == "GET":
        form.published.data, form.attempts_per_day.data, form.questions_per_play.data = True, 3, 10
        form.cover.data = "shield"
    return _edit(None, form)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@role_required(Role.CONTENT_ADMIN)
def edit(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = CampaignForm()
    if request.method == "GET":
        form.slug.data, form.title.data = campaign.slug, campaign.title.get("zh_Hans", "")
        form.title_en.data = campaign.title.get("en", "")
        form.theme.data, form.summary.data = campaign.theme.get("zh_Hans", ""), campaign.summary.get("zh_Hans", "")
        form.cover.data, form.starts_on.data, form.ends_on.data = campaign.cover, campaign.starts_on, campaign.ends_on
        form.published.data, form.attempts_per_day.data = campaign.published, campaign.attempts_per_day
        form.questions_per_play.data = campaign.questions_per_play
        form.modules.data = [item.module.slug for item in campaign.modules]
        for entry, track in zip(form.tracks.entries, catalog.active_tracks(campaign), strict=False):
            entry.form.key.data, entry.form.title.data = track.key, track.title.get("zh_Hans", "")
            entry.form.description.data = (track.description or {}).get("zh_Hans", "")
            entry.form.pool.data = track.quiz.slug
    return _edit(campaign, form)


def _edit(campaign: Campaign | None, form: CampaignForm):
    modules, pools = _prepare(form)
    if form.validate_on_submit():
        try:
            saved = services.save(campaign, _input(form, modules, pools), actor=current_user)
        except CampaignError as error:
            db.session.rollback()
            flash(_errors().get(error.code, error.code), "error")
        else:
            db.session.commit()
            flash(_("The campaign was saved."), "success")
            return redirect(url_for("campaign_admin.show", campaign_id=saved.id))
    status = 400 if form.errors else 200
    return render_template("campaigns/form.html", form=form, campaign=campaign,
                           track_rows=MAX_TRACK_ROWS), status


def _unit_from_query() -> OrgUnit | None:
    code = request.args.get("unit")
    if not code:
        return None
    unit = get_by_code(code)
    if unit is None:
        abort(404)
    return unit


@bp.get("/<int:campaign_id>")
@role_required(Role.CONTENT_ADMIN)
def show(campaign_id: int):
    """Analytics: players per day, branch credit with drill-down, regions, and per-question errors."""
    campaign = _campaign_or_404(campaign_id)
    unit = _unit_from_query()
    locale = current_locale()
    days = analytics.per_day(campaign)
    units = analytics.per_unit(campaign, unit)
    regions = analytics.per_region(campaign)
    questions = analytics.per_question(campaign)
    top_region = max((f.plays for _, f in regions), default=0)
    charts = {
        "days": line_chart([(d.isoformat(), f.players) for d, f in days], label=_("Players per day"),
                           maximum=max((f.players for _, f in days), default=1) or 1, unit="")
        if days else None,
        "regions": bar_chart([(r or _("Not given"), f.plays) for r, f in regions[:12]], label=_("Plays by region"),
                             maximum=top_region or 1, unit="") if regions else None,
        "wrong": bar_chart([(q.question.key, q.wrong_share or 0) for q in questions[:10]],
                           label=_("Share of wrong answers, hardest questions")) if questions else None,
    }
    return render_template(
        "campaigns/show.html", campaign=campaign, phase=campaign.phase(_today()),
        summary=analytics.summary(campaign), credited=analytics.credited(campaign), days=days,
        tracks=analytics.per_track(campaign), units=units, unit=unit,
        direct=analytics.direct_at(campaign, unit) if unit else None, regions=regions, questions=questions,
        sub_branches=analytics.sub_branch_participation(campaign, limit=20), charts=charts,
        choice_text=lambda q, c: analytics.choice_text(q, c, locale, (_("True"), _("False"))),
        ancestors=_ancestors(unit),
    )


def _ancestors(unit: OrgUnit | None) -> list[OrgUnit]:
    if unit is None:
        return []
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    found = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


@bp.post("/<int:campaign_id>/export.xlsx")
@role_required(Role.CONTENT_ADMIN)
def export(campaign_id: int):
    """The activity-summary workbook (活动总结): the same figures as the analytics page. A POST with
    CSRF, like the HR exports: every download is recorded in the audit trail, and GET never writes."""
    campaign = _campaign_or_404(campaign_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    data = campaign_workbook(campaign, current_locale())
    audit.record("campaign.export", actor=current_user, target=campaign.slug, format="xlsx")
    db.session.commit()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"campaign-{campaign.slug}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/<int:campaign_id>/links")
@role_required(Role.CONTENT_ADMIN)
def links(campaign_id: int):
    """Every org unit's own signed campaign link and lobby poster, for branches to print and share."""
    campaign = _campaign_or_404(campaign_id)
    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(OrgUnit.path)))
    base = public_base()
    rows = []
    for unit in units:
        code = attribution.sign(current_app.secret_key, campaign.slug, unit.code)
        rows.append((unit, base + url_for("public.branch_entry", slug=campaign.slug, code=code),
                     url_for("public.lobby_poster", slug=campaign.slug, b=code)))
    return render_template("campaigns/links.html", campaign=campaign, rows=rows)
