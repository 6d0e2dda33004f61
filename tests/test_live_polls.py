"""Pitch day's polls: the public ones answered before Flask from the session's pulse, a state's
live part rendered once and kept, a judge's phone following only what it shows; with Redis,
the pulse mirrored there and every fault (flushed, down, a stale write) falling back to the
database."""
import os
import re
import uuid

import pytest

from portal.extensions import db
from portal.live import services
from portal.live.pulse import Pulse, pulses_for
from tests.conftest import _dispose, make_test_app
from tests.factories import Auth
from tests.test_live import live_world, scores_for, send, step

REDIS = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS, reason="Redis tests skipped: TEST_REDIS_URL is not "
                                                   "set (e.g. redis://127.0.0.1:6379/0)")


@pytest.fixture
def world(contest):
    live, organizer, judges, proposals = live_world(contest)
    services.save_settings(organizer, live, "trimmed", 5, 3, True, True)
    db.session.commit()
    return live, organizer, judges, proposals


# One SELECT (and SQLite's explicit BEGIN, sent as a statement of its own).
ONE_STATEMENT = 2


def audience(live):
    return f"/live/{live.id}/audience?fragment=1"


def poll(client, url, tag):
    return client.get(url, headers={"If-None-Match": tag})


def test_an_unchanged_public_poll_is_answered_before_flask_in_one_statement(
        client, world, count_queries):
    live, _organizer, _judges, _proposals = world
    url = audience(live)
    first = client.get(url)
    assert first.status_code == 200 and "X-Request-Id" in first.headers   # through Flask
    with count_queries() as counted:
        again = poll(client, url, first.headers["ETag"])
    assert again.status_code == 304 and counted.total <= ONE_STATEMENT
    assert "X-Request-Id" not in again.headers and again.headers["ETag"] == first.headers["ETag"]
    assert float(again.headers["X-Live-Now"]) > 0


def test_a_changed_state_is_rendered_once_and_then_served_to_every_viewer(
        client, world, monkeypatch, count_queries):
    live, organizer, _judges, _proposals = world
    from portal.live import views
    renders = []
    real_board = views.board
    monkeypatch.setattr(views, "board", lambda live: renders.append(1) or real_board(live))
    url = audience(live)
    old = client.get(url).headers["ETag"]
    step(live, organizer, "start")
    first = poll(client, url, old)
    assert first.status_code == 200 and len(renders) == 2
    with count_queries() as counted:
        second = poll(client, url, old)
    assert second.status_code == 200 and len(renders) == 2 and counted.total <= ONE_STATEMENT
    assert second.get_data() == first.get_data() and "项目" in second.get_data(as_text=True)
    assert second.headers["ETag"] == first.headers["ETag"] != old
    # The page's own headers are kept with it; the session cookie never is.
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Type"):
        assert second.headers[name] == first.headers[name]
    assert "Set-Cookie" not in second.headers
    assert second.headers.getlist("Cache-Control") == ["no-cache, private"]


def test_the_gate_keeps_the_pages_rules(client, world):
    live, organizer, _judges, _proposals = world
    tag = client.get(audience(live)).headers["ETag"]
    services.save_settings(organizer, live, "trimmed", 5, 3, True, False)
    db.session.commit()
    assert poll(client, audience(live), tag).status_code == 404   # the audience page closed
    screen = f"/live/screen/{live.screen_token}?fragment=1"
    screen_tag = client.get(screen).headers["ETag"]
    assert poll(client, screen, screen_tag).status_code == 304
    assert poll(client, "/live/screen/not-the-token?fragment=1", screen_tag).status_code == 404
    # A screen's ETag does not open the audience page, nor another session's.
    assert poll(client, f"/live/{live.id + 1}/audience?fragment=1", tag).status_code == 404
    forged = screen_tag.replace("-screen-", "-audience-")
    assert poll(client, audience(live), forged).status_code == 404


def test_a_judge_page_follows_its_own_mark_not_every_other_score(client, world):
    live, organizer, judges, _proposals = world
    step(live, organizer, "start")
    step(live, organizer, "open")
    Auth(client).login(judges[0])
    url = f"/live/{live.id}/judge?fragment=1"
    mine = client.get(url).headers["ETag"]
    Auth(client).login(judges[1])
    assert send(client, live, live.current_pitch_id, 7, "other").status_code == 200
    Auth(client).login(judges[0])
    assert poll(client, url, mine).status_code == 304   # another judge's score: nothing new
    assert send(client, live, live.current_pitch_id, 8, "mine").status_code == 200
    received = poll(client, url, mine)
    assert received.status_code == 200 and "live-received" in received.get_data(as_text=True)
    services.remind(organizer, live, judges[2])
    db.session.commit()
    Auth(client).login(judges[2])
    before = client.get(url).headers["ETag"]
    assert "r-judge" in before   # the reminder is in the judge's mark
    Auth(client).logout()
    assert poll(client, url, before).status_code == 302   # signed out: to the login page


# Redis


@pytest.fixture
def redis_app(tmp_path, database_url):
    """`redis_app(name, prefix, url)`: another app on the test database (another worker or
    host), with Redis; its connections closed afterwards."""
    made = []

    def make(name, prefix, url=REDIS):
        made.append(make_test_app(tmp_path / name, database_url, REDIS_URL=url,
                                  PORTAL_LIVE_REDIS_PREFIX=prefix))
        return made[-1]
    yield make
    for application in made:
        _dispose(application)


@pytest.fixture
def prefix():
    import redis
    name = f"test-live-{uuid.uuid4().hex[:8]}:"
    yield name
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(name + "*"):
        client.delete(key)
    client.close()


def host_step(client, live, name):
    version = db.session.scalar(db.select(type(live).version).filter_by(id=live.id))
    response = client.post(f"/admin/live/{live.id}/step", data={"step": name,
                                                                "version": version})
    assert response.status_code == 302
    db.session.commit()   # the step was committed by the other app: read it afresh


@needs_redis
def test_the_pulse_is_mirrored_in_redis_and_polls_read_no_database(
        redis_app, world, prefix, count_queries):
    live, organizer, judges, _proposals = world
    one = redis_app("a", prefix)
    two = redis_app("b", prefix)   # another worker, or host
    host, viewer = one.test_client(), two.test_client()
    Auth(host).login(organizer)
    url = audience(live)
    tag = viewer.get(url).headers["ETag"]
    with count_queries() as counted:
        assert poll(viewer, url, tag).status_code == 304
    assert counted.total == 0
    host_step(host, live, "start")   # committed in one process, seen by the other at once
    changed = poll(viewer, url, tag)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    # The live part rendered by one worker is served by another without a render.
    third = redis_app("c", prefix).test_client()
    with count_queries() as counted:
        again = poll(third, url, tag)
    assert again.status_code == 200 and again.get_data() == changed.get_data()
    assert counted.total == 0
    # A judge's own score reaches their phone through the mirror.
    Auth(viewer).login(judges[0])
    url = f"/live/{live.id}/judge?fragment=1"
    host_step(host, live, "open")
    mine = viewer.get(url).headers["ETag"]
    assert poll(viewer, url, mine).status_code == 304
    Auth(host).login(judges[1])
    assert send(host, live, live.current_pitch_id, 7, "k-other").status_code == 200
    assert poll(viewer, url, mine).status_code == 304
    assert viewer.post(f"/live/{live.id}/judge/score", headers={"Accept": "application/json"},
                       data={"pitch_id": live.current_pitch_id, "key": "k-mine",
                             **scores_for(live, 8)}).status_code == 200
    assert poll(viewer, url, mine).status_code == 200


@needs_redis
def test_a_flushed_or_stale_mirror_falls_back_to_the_database(redis_app, world, prefix):
    import redis
    live, organizer, _judges, _proposals = world
    app = redis_app("a", prefix)
    client = app.test_client()
    tag = client.get(audience(live)).headers["ETag"]
    store = redis.Redis.from_url(REDIS)
    for key in store.scan_iter(prefix + "*"):   # Redis flushed
        store.delete(key)
    step(live, organizer, "start")   # committed by an app that has no Redis
    assert poll(client, audience(live), tag).status_code == 200   # refilled from the database
    assert int(store.hget(f"{prefix}{live.id}", "v")) == live.version
    # An older state written late (a slow refill) does not replace the newer one.
    pulses = pulses_for(app)
    pulses.mirror(Pulse(live.id, live.version - 1, 99, True, live.screen_token))
    assert int(store.hget(f"{prefix}{live.id}", "v")) == live.version
    # Another session under the same id (a database restored or recreated) replaces it.
    pulses.mirror(Pulse(live.id, 1, 0, True, "another-session"))
    assert store.hget(f"{prefix}{live.id}", "tok") == b"another-session"
    pulses.mirror(Pulse(live.id, live.version, live.activity, True, live.screen_token))
    # A missed write is bounded: the mirror expires.
    assert 0 < store.ttl(f"{prefix}{live.id}") <= 60
    store.close()


def test_redis_down_the_database_answers(redis_app, world):
    live, organizer, judges, _proposals = world
    app = redis_app("a", "down:", url="redis://127.0.0.1:1/0")
    client = app.test_client()
    first = client.get(audience(live))
    assert first.status_code == 200
    assert poll(client, audience(live), first.headers["ETag"]).status_code == 304
    Auth(client).login(organizer)
    host_step(client, live, "start")   # the mirror cannot be written: the step still counts
    changed = poll(client, audience(live), first.headers["ETag"])
    assert changed.status_code == 200
    assert re.search(r"live-\d+-(\d+)-", changed.headers["ETag"]).group(1) == str(live.version)
