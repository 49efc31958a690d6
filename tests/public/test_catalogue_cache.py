"""The public catalogue each app server keeps in memory: a write shows at once on the server that made
it and, through the revision in the database, on every other server."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.content.models import PublicModule
from app.core.database import dispose_lean_engine
from app.extensions import db
from app.public.models import Campaign, CampaignTrack
from tests.conftest import _test_config
from tests.public.conftest import play_through, start_play


def _second_server(database_url, tmp_path, check_seconds):
    other = create_app({**_test_config(database_url), "CACHE_CHECK_SECONDS": check_seconds},
                       instance_path=str(tmp_path / "other"))
    return other


def _title_on(server, slug: str) -> str:
    with server.test_client() as client:
        html = client.get(f"/c/{slug}").get_data(as_text=True)
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_a_campaign_edit_shows_at_once_here_and_on_another_server_at_its_next_check(
        app, client, campaign, database_url, tmp_path):
    before = _title_on(app, campaign.slug)
    fresh = _second_server(database_url, tmp_path, check_seconds=0)  # compares its revision on every request
    lagging = _second_server(database_url, tmp_path, check_seconds=3600)
    try:
        assert _title_on(fresh, campaign.slug) == before == _title_on(lagging, campaign.slug)
        campaign.title = {**campaign.title, "zh_Hans": "三一五：别让骗子钻了空子"}
        db.session.commit()
        assert _title_on(app, campaign.slug) == "三一五：别让骗子钻了空子"  # this server: at once
        assert _title_on(fresh, campaign.slug) == "三一五：别让骗子钻了空子"  # another: at its next check
        assert _title_on(lagging, campaign.slug) == before  # until then it shows its copy
    finally:
        for server in (fresh, lagging):
            with server.app_context():
                dispose_lean_engine(server)
                db.engine.dispose()


def test_tracks_modules_and_publishing_reach_the_public_pages(app, client, campaign):
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert 'value="elderly"' in html and 'href="/m/elderly-scam"' in html
    track = db.session.scalar(select(CampaignTrack).where(CampaignTrack.campaign_id == campaign.id,
                                                          CampaignTrack.key == "elderly"))
    track.title = {**track.title, "zh_Hans": "银发族专场"}
    module = db.session.scalar(select(PublicModule).where(PublicModule.slug == "elderly-scam"))
    module.published = False
    db.session.commit()
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "银发族专场" in html and 'href="/m/elderly-scam"' not in html
    # a play started now shows the new track title on its questions
    play = start_play(client, campaign, track="elderly")
    assert "银发族专场" in client.get(f"/p/{play}/1").get_data(as_text=True)
    campaign_row = db.session.get(Campaign, campaign.id)
    campaign_row.published = False
    db.session.commit()
    assert client.get(f"/c/{campaign.slug}").status_code == 404


def test_the_leaderboard_top_is_ranked_once_a_while_and_a_player_sees_their_own_row_at_once(app, campaign):
    app.config["PUBLIC_LEADERBOARD_SECONDS"] = 3600
    first, second = app.test_client(), app.test_client()
    play = start_play(first, campaign, nickname="阿明")
    play_through(first, play)
    board = first.get(f"/c/{campaign.slug}/leaderboard").get_data(as_text=True)
    assert "阿*" in board and "每 3600 秒更新" in board  # ranked now: the first view of this board
    later = start_play(second, campaign, nickname="小红")
    play_through(second, later)
    # another reader gets the ranked top of before; the new player sees their own row at once
    assert "小*" not in first.get(f"/c/{campaign.slug}/leaderboard").get_data(as_text=True)
    own = second.get(f"/c/{campaign.slug}/leaderboard").get_data(as_text=True)
    assert "小*" in own and 'class="me gap"' in own
    app.config["PUBLIC_LEADERBOARD_SECONDS"] = 0  # ranked on every view again
    assert "小*" in first.get(f"/c/{campaign.slug}/leaderboard").get_data(as_text=True)


def test_a_lost_revision_row_is_made_again_by_the_next_write(app, client, campaign):
    """Bumping is an upsert: a database whose cache_revisions row is gone (emptied, restored from an
    older dump) still tells every server to rebuild."""
    from app.core.caching import current_revision
    from app.core.models import CacheRevision

    db.session.query(CacheRevision).delete()
    db.session.commit()
    assert current_revision("public") == 0
    campaign.title = {**campaign.title, "zh_Hans": "新标题"}
    db.session.commit()
    first = current_revision("public")
    campaign.title = {**campaign.title, "zh_Hans": "又一个新标题"}
    db.session.commit()
    assert current_revision("public") == first + 1 >= 2


def test_a_write_after_a_rolled_back_savepoint_still_tells_other_servers(app, campaign):
    """A revision is bumped once a transaction; a savepoint rolled back takes its bump with it, and the
    transaction's later writes must bump again."""
    from app.core.caching import current_revision

    before = current_revision("public")
    try:
        with db.session.begin_nested():
            campaign.title = {**campaign.title, "zh_Hans": "不会保存的标题"}
            db.session.flush()
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    campaign.theme = {**campaign.theme, "zh_Hans": "会保存的主题"}
    db.session.commit()
    assert current_revision("public") == before + 1
