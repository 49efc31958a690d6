"""The bank's side: scheduling campaigns, signed branch links, analytics that match the XLSX."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth.models import Role
from app.campaigns import services as campaign_service
from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit
from app.public import attribution, catalog, players, services
from app.public.models import Campaign, CampaignTrack, PublicPlay
from tests.conftest import csrf_token, login
from tests.public.conftest import page_token, play_row, play_through, start_play, today


def _admin(client, make_user):
    make_user("content", roles=(Role.CONTENT_ADMIN,), unit="HO")
    login(client, "content")


def test_only_content_admins_reach_campaign_admin(client, make_user, campaign):
    for path in ("/admin/campaigns", f"/admin/campaigns/{campaign.id}",
                 f"/admin/campaigns/{campaign.id}/links", "/admin/campaigns/new"):
        assert client.get(path).status_code == 302  # anonymous: sign in first
    assert client.post(f"/admin/campaigns/{campaign.id}/export.xlsx").status_code in (302, 400)
    make_user("hr", roles=(Role.HR,), unit="HO")
    login(client, "hr")
    assert client.get("/admin/campaigns").status_code == 403
    token = csrf_token(client, "/learn")
    assert client.post(f"/admin/campaigns/{campaign.id}/export.xlsx", data={"csrf_token": token}).status_code == 403


def _form(**overrides) -> dict:
    data = {
        "slug": "fraud-2027", "title": "春节反诈", "theme": "过个安心年", "summary": "", "cover": "shield",
        "starts_on": (today() + timedelta(days=5)).isoformat(), "ends_on": (today() + timedelta(days=20)).isoformat(),
        "published": "y", "attempts_per_day": "2", "questions_per_play": "8", "modules": ["fake-police", "task-scam"],
        "tracks-0-key": "elderly", "tracks-0-title": "我是长辈", "tracks-0-pool": "public/elderly",
    }
    data.update(overrides)
    return data


def test_a_content_admin_schedules_a_campaign_and_bad_input_changes_nothing(client, make_user, campaign):
    _admin(client, make_user)
    before = db.session.scalar(select(func.count(Campaign.id)))
    bad = client.post("/admin/campaigns/new", data=_form(csrf_token=page_token(client, "/admin/campaigns/new"),
                                                         ends_on=today().isoformat()))
    assert bad.status_code == 400 and "结束日期早于开始日期" in bad.get_data(as_text=True)
    no_track = client.post("/admin/campaigns/new", data=_form(csrf_token=page_token(client, "/admin/campaigns/new"),
                                                              **{"tracks-0-pool": ""}))
    assert no_track.status_code == 400 and "题库" in no_track.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Campaign.id))) == before
    created = client.post("/admin/campaigns/new", data=_form(csrf_token=page_token(client, "/admin/campaigns/new")))
    assert created.status_code == 302
    item = db.session.scalar(select(Campaign).where(Campaign.slug == "fraud-2027"))
    assert item.attempts_per_day == 2 and item.questions_per_play == 8
    assert [m.module.slug for m in item.modules] == ["fake-police", "task-scam"]
    assert [t.key for t in item.tracks] == ["elderly"] and item.title["zh_Hant"] == "春節反詐"
    assert "即将开始" in client.get("/c/fraud-2027").get_data(as_text=True)
    # reschedule it to run now: the public page opens the quiz
    edit = f"/admin/campaigns/{item.id}/edit"
    client.post(edit, data=_form(csrf_token=page_token(client, edit), starts_on=today().isoformat()))
    assert "开始答题" in client.get("/c/fraud-2027").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == "fraud-2027")).all()
    assert sorted(actions) == ["campaign.create", "campaign.update"]


def test_a_signed_branch_link_credits_the_play_and_a_forged_one_does_not(app, client, org, campaign):
    code = attribution.sign(app.secret_key, campaign.slug, "BJ01")
    assert client.get(f"/c/{campaign.slug}/b/{code}").status_code == 302
    assert "北京分行朝阳支行" in client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    credited = start_play(client, campaign)
    assert play_row(credited).org_unit_id == org["BJ01"].id
    assert client.get_cookie("session") is None  # the credit needs no session either
    # the credit is on the play itself: it survives the visitor's cookies being cleared mid-play
    client.delete_cookie("xb_branch")
    play_through(client, credited)
    client.get(f"/p/{credited}/result")
    assert play_row(credited).org_unit_id == org["BJ01"].id and play_row(credited).finished_at is not None

    for forged in ("SH01", f"SH01-{code.rsplit('-', 1)[1]}", "SH01-aaaaaaaaaaaa", code.replace("BJ01", "SH01")):
        other = app.test_client()
        other.get(f"/c/{campaign.slug}/b/{forged}")
        assert play_row(start_play(other, campaign)).org_unit_id is None
        # nor when the visitor writes the cookie themselves
        other.set_cookie("xb_branch", f"{campaign.slug}={forged}")
        assert play_row(start_play(other, campaign)).org_unit_id is None
    # a code signed for another campaign does not work here either
    other = app.test_client()
    other.get(f"/c/{campaign.slug}/b/{attribution.sign(app.secret_key, 'another-campaign', 'SH01')}")
    assert play_row(start_play(other, campaign)).org_unit_id is None


def test_branch_links_page_lists_a_working_link_per_unit(client, make_user, org, campaign):
    _admin(client, make_user)
    html = client.get(f"/admin/campaigns/{campaign.id}/links").get_data(as_text=True)
    links = re.findall(r'value="(http[^"]+/b/[^"]+)"', html)
    assert len(links) == len(org)
    anonymous = client.application.test_client()
    assert all(link.startswith("http://localhost/c/") for link in links)  # this request's own host
    anonymous.get(__import__("urllib.parse").parse.urlsplit(links[-1]).path)
    assert play_row(start_play(anonymous, campaign)).org_unit_id is not None


def test_printed_links_use_the_public_base_url_when_it_is_set(app, client, make_user, org, campaign):
    app.config["PUBLIC_BASE_URL"] = "https://xiaobao.example-bank.cn/"
    _admin(client, make_user)
    html = client.get(f"/admin/campaigns/{campaign.id}/links").get_data(as_text=True)
    links = re.findall(r'value="(http[^"]+/b/[^"]+)"', html)
    assert links and all(link.startswith("https://xiaobao.example-bank.cn/c/") for link in links)


def _generate_plays(campaign, org, count: int = 24) -> None:
    """Plays through the real services: several units, regions and players, some unfinished."""
    rng = random.Random(7)
    units = [None, org["BJ01"].id, org["BJ"].id, org["SH01"].id]
    regions = [None, "北京", "上海", "广东"]
    tracks = campaign.tracks
    for index in range(count):
        key = players.player_key(f"player-{index % 9:02d}-token-xxxxxxxx")
        play = services.start_campaign_play(
            campaign, tracks[index % len(tracks)], player_key=key, nickname=f"玩家{index}",
            region=regions[index % 4], org_unit_id=units[index % 4], today=today(), rng=rng)
        db.session.commit()
        answered_count = play.question_count if index % 5 else 4  # every fifth play is abandoned
        for position in range(1, answered_count + 1):
            drawn = play.question_at(position)
            question_id, order = drawn.question_id, drawn.order
            services.answer(play, position, question_id, [str(rng.randrange(len(order)))], player_key=key)
        services.finish(play, services.answers_of(play))
        db.session.commit()


def _kpi(html: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}">([^<]+)<', html).group(1)


def test_the_analytics_page_and_its_xlsx_agree(client, make_user, org, campaign):
    _generate_plays(campaign, org)
    _admin(client, make_user)
    html = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert client.get(f"/admin/campaigns/{campaign.id}/export.xlsx").status_code == 405  # GET never writes (audit)
    assert client.post(f"/admin/campaigns/{campaign.id}/export.xlsx").status_code == 400  # no CSRF token
    events = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "campaign.export"))
    response = client.post(f"/admin/campaigns/{campaign.id}/export.xlsx",
                           data={"csrf_token": csrf_token(client, f"/admin/campaigns/{campaign.id}")})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "campaign.export")) == events + 1
    book = load_workbook(BytesIO(response.data))
    summary = [c.value for c in book["概况"][2]]
    plays = db.session.scalar(select(func.count(PublicPlay.id)))
    finished = db.session.scalar(select(func.count(PublicPlay.finished_at)))
    assert summary[2:5] == [9, plays, finished]
    assert _kpi(html, "players") == "9" and _kpi(html, "plays") == str(plays)
    assert _kpi(html, "completion") == f"{finished * 100 / plays:.0f}%"
    assert _kpi(html, "average") == f"{summary[6]:.1f}"
    assert _kpi(html, "credited") == str(summary[7]) == "18"
    # regions: the same plays per region on the page as in the workbook
    for row in list(book["地区"].iter_rows(min_row=2, values_only=True)):
        region = row[0] if row[0] != "未填写" else "未填写"
        assert re.search(rf"<td>{region}</td><td class=\"num\">{row[2]}</td>", html), row
    # org units: the branch rows of the page match the workbook's top of the tree
    units = {row[0]: row for row in book["机构"].iter_rows(min_row=2, values_only=True)}
    assert units["HO"][4] == 18 and units["HO"][1] == "总行" and units["BJ"][1] == "分行"  # the level in a column
    assert not any(row[2].startswith(" ") for row in units.values())  # names no longer indented with spaces
    drill = client.get(f"/admin/campaigns/{campaign.id}?unit=HO").get_data(as_text=True)
    for code in ("BJ", "SH"):
        name, players_, plays = units[code][2], units[code][3], units[code][4]
        assert re.search(rf'{name}</a></td>\s*<td class="num">{players_}</td><td class="num">{plays}</td>', drill)
    # questions: answers and wrong share per question identical, hardest first in both
    sheet = list(book["题目"].iter_rows(min_row=2, values_only=True))
    assert sheet and sheet == sorted(sheet, key=lambda r: (-(r[5] or 0), -r[3], r[0]))
    for row in sheet[:5]:
        assert re.search(rf'{row[0]}</span>.*?<td class="num">{row[3]}</td>\s*<td class="num">{row[5]:.0f}%</td>',
                         html, re.S), row
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "campaign.export")) == 1


def test_drilling_down_to_an_unknown_unit_is_a_404(client, make_user, campaign):
    _admin(client, make_user)
    assert client.get(f"/admin/campaigns/{campaign.id}?unit=NOPE").status_code == 404
    assert db.session.scalar(select(func.count(OrgUnit.id))) > 0


def test_a_dropped_track_with_plays_is_retired_and_one_without_is_deleted(client, campaign):
    start_play(client, campaign, track="elderly")
    keep = [t for t in campaign.tracks if t.key not in ("elderly", "student")]
    data = campaign_service.CampaignInput(
        slug=campaign.slug, title=campaign.title, theme=campaign.theme, summary=campaign.summary,
        cover=campaign.cover, starts_on=campaign.starts_on, ends_on=campaign.ends_on, published=True,
        attempts_per_day=3, questions_per_play=10, modules=[m.module for m in campaign.modules],
        tracks=[campaign_service.TrackInput(t.key, t.title, t.description, t.quiz) for t in keep])
    for _ in range(2):  # saving twice leaves the retired track where it is
        campaign_service.save(campaign, data, actor=None)
        db.session.commit()
    tracks = {t.key: t for t in db.session.scalars(select(CampaignTrack).where(CampaignTrack.campaign_id == campaign.id))}
    assert "student" not in tracks and tracks["elderly"].retired_at is not None
    assert all(t.retired_at is None for key, t in tracks.items() if key != "elderly")
    assert [t.key for t in catalog.active_tracks(campaign)] == [t.key for t in keep]
    assert play_row(db.session.scalar(select(PublicPlay.token))).track.key == "elderly"
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert 'value="elderly"' not in html and 'value="young-worker"' in html
    campaign_service.save(campaign, campaign_service.CampaignInput(**{**data.__dict__, "tracks": [
        *data.tracks, campaign_service.TrackInput("elderly", tracks["elderly"].title, {}, tracks["elderly"].quiz)]}),
        actor=None)
    db.session.commit()
    assert tracks["elderly"].retired_at is None and "elderly" in [t.key for t in catalog.active_tracks(campaign)]
