"""Pitch day (路演): the session's states, the host's compare-and-set, the judges' scores and
the pages that follow them by polling with ETags."""
import re
from decimal import Decimal

import pytest

from portal.errors import DomainError
from portal.extensions import db
from portal.live import services
from portal.live.screens import board
from portal.models import (AuditEvent, Conflict, ConflictKind, LiveReceipt, LiveSession,
                           LiveState, PitchStatus, Review, Round)
from portal.results import advancement
from portal.results.ranking import round_ranking
from portal.rules.criteria import YES_NO
from tests.factories import Auth, make_judge, make_proposal, make_user

JSON = {"Accept": "application/json"}


def live_world(contest, judges=3, finalists=3):
    """A final round, `finalists` advanced proposals, `judges` judges and the live session."""
    organizer = make_user("host@example.org", organizer=True)
    final = Round(contest=contest, position=2, code="final", name_zh="终审", name_en="Final")
    db.session.add(final)
    proposals = [make_proposal(contest, make_user(f"team{n}@example.org",
                                                  organization=f"第{n}队协会"),
                               title=f"项目{n}") for n in range(finalists)]
    advancement.advance(organizer, contest, contest.rounds[0], proposals)
    people = [make_judge(contest, f"j{n}@example.org", name=f"评委{n}") for n in range(judges)]
    live = services.create_session(organizer, contest, final)
    db.session.commit()
    return live, organizer, people, proposals


def step(live, organizer, name, pitch_id=None):
    services.host_step(organizer, live, name, live.version, pitch_id=pitch_id)
    db.session.commit()


def scores_for(live, total):
    """Form data giving every criterion `total`."""
    return {f"criterion_{criterion.id}": str(total) for criterion in live.contest.criteria}


def send(client, live, pitch_id, total, key):
    return client.post(f"/live/{live.id}/judge/score", headers={**JSON, "Accept-Language": "en"},
                       data={"pitch_id": pitch_id, "key": key, **scores_for(live, total)})


@pytest.fixture
def world(contest):
    return live_world(contest)


def test_the_running_order_comes_from_the_advancement_list(world):
    live, _organizer, _judges, proposals = world
    assert [pitch.proposal_id for pitch in live.pitches] == sorted(
        (p.id for p in proposals), key=lambda pid: next(
            p.reference for p in proposals if p.id == pid))
    assert live.state == LiveState.WAITING and live.version == 1


def test_a_pitch_goes_through_every_state(world):
    live, organizer, _judges, _proposals = world
    for name, state in [("start", LiveState.PRESENTING), ("qa", LiveState.QA),
                        ("open", LiveState.SCORING_OPEN), ("close", LiveState.SCORING_CLOSED),
                        ("reveal", LiveState.REVEALED)]:
        step(live, organizer, name)
        assert live.state == state
    assert live.pitches[0].status == PitchStatus.DONE
    assert live.version == 6
    actions = db.session.scalars(db.select(AuditEvent.action).filter(
        AuditEvent.action.like("live.%")).order_by(AuditEvent.id)).all()
    assert actions == ["live.created", "live.start", "live.qa", "live.open", "live.close",
                       "live.reveal"]


def test_a_step_that_does_not_fit_the_state_is_refused(world):
    live, organizer, _judges, _proposals = world
    with pytest.raises(DomainError):
        services.host_step(organizer, live, "close", live.version)
    db.session.rollback()
    db.session.refresh(live)
    assert live.state == LiveState.WAITING


def test_two_hosts_at_once_one_wins_and_the_other_is_told(client, world):
    live, organizer, _judges, _proposals = world
    Auth(client).login(organizer)
    seen = live.version
    first = client.post(f"/admin/live/{live.id}/step", data={"step": "start", "version": seen})
    second = client.post(f"/admin/live/{live.id}/step", data={"step": "start", "version": seen},
                         follow_redirects=True, headers={"Accept-Language": "en"})
    assert first.status_code == 302
    assert "Another host changed the session" in second.get_data(as_text=True)
    db.session.refresh(live)
    assert live.version == seen + 1 and live.state == LiveState.PRESENTING
    assert [p.status for p in live.pitches].count(PitchStatus.CURRENT) == 1


def test_judges_score_while_open_and_a_late_score_is_refused(client, world):
    live, organizer, judges, _proposals = world
    step(live, organizer, "start")
    pitch_id = live.current_pitch_id
    Auth(client).login(judges[0])
    early = send(client, live, pitch_id, 8, "k-early")
    assert early.status_code == 409 and not early.json["received"]
    step(live, organizer, "open")
    received = send(client, live, pitch_id, 8, "k1")
    assert received.status_code == 200 and received.json["received"]
    step(live, organizer, "close")
    late = client.post(f"/live/{live.id}/judge/score", data={
        "pitch_id": pitch_id, "key": "k2", **scores_for(live, 9)},
        headers={**JSON, "Accept-Language": "en"})
    assert late.status_code == 409
    assert late.json["message"] == "Scoring for this pitch has closed: your score was not counted."


def test_a_score_sent_twice_counts_once(client, world):
    live, organizer, judges, _proposals = world
    step(live, organizer, "start")
    step(live, organizer, "open")
    Auth(client).login(judges[0])
    for _attempt in range(3):
        assert send(client, live, live.current_pitch_id, 7, "same-key").status_code == 200
    assert db.session.scalar(db.select(db.func.count(LiveReceipt.id))) == 1
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
        action="review.submitted")) == 1
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1


def test_a_judge_with_a_conflict_cannot_score_and_the_phone_says_so(client, world):
    live, organizer, judges, _proposals = world
    pitch = live.pitches[0]
    db.session.add(Conflict(contest_id=live.contest_id, judge_id=judges[1].id,
                            proposal_id=pitch.proposal_id, kind=ConflictKind.ORGANIZER,
                            reason="亲属"))
    db.session.commit()
    step(live, organizer, "start")
    step(live, organizer, "open")
    Auth(client).login(judges[1])
    page = client.get(f"/live/{live.id}/judge", headers={"Accept-Language": "en"})
    assert "conflict of interest" in page.get_data(as_text=True)
    refused = send(client, live, pitch.id, 8, "k")
    assert refused.status_code == 409 and "conflict of interest" in refused.json["message"]
    screen = client.get(f"/live/screen/{live.screen_token}?fragment=1",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Scoring: 0 of 2 judges" in screen


def test_a_judge_page_answers_304_until_something_changes(client, world):
    live, organizer, judges, _proposals = world
    Auth(client).login(judges[0])
    first = client.get(f"/live/{live.id}/judge?fragment=1")
    tag = first.headers["ETag"]
    assert client.get(f"/live/{live.id}/judge?fragment=1",
                      headers={"If-None-Match": tag}).status_code == 304
    step(live, organizer, "start")
    changed = client.get(f"/live/{live.id}/judge?fragment=1", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "项目" in changed.get_data(as_text=True)


def test_the_screen_needs_its_secret_and_the_audience_page_its_setting(client, world):
    live, organizer, _judges, _proposals = world
    assert client.get(f"/live/screen/{live.screen_token}").status_code == 200
    assert client.get("/live/screen/not-the-token").status_code == 404
    assert client.get(f"/live/{live.id}/audience").status_code == 404
    services.save_settings(organizer, live, "trimmed", 5, 3, True, True)
    db.session.commit()
    assert client.get(f"/live/{live.id}/audience").status_code == 200


def _score_pitch(client, live, judges, totals):
    for judge, total in zip(judges, totals):
        Auth(client).login(judge)
        key = f"k{judge.id}-{live.current_pitch_id}"
        assert send(client, live, live.current_pitch_id, total, key).status_code == 200


def test_with_fewer_than_five_scores_the_screen_says_the_mean_is_used(client, world):
    live, organizer, judges, _proposals = world
    for name in ("start", "open"):
        step(live, organizer, name)
    _score_pitch(client, live, judges, [6, 8, 10])
    step(live, organizer, "close")
    step(live, organizer, "reveal")
    screen = client.get(f"/live/screen/{live.screen_token}",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Fewer than 5 scores: the mean is used" in screen
    assert "8.00" in screen and "J001" in screen


def test_the_trimmed_mean_drops_the_extremes_on_the_screen_and_ranks_the_round(client, contest):
    live, organizer, judges, proposals = live_world(contest, judges=5, finalists=2)
    for totals in ([5, 9, 7, 8, 6], [10, 1, 7, 7, 7]):
        for name in ("start", "open"):
            step(live, organizer, name)
        _score_pitch(client, live, judges, totals)
        step(live, organizer, "close")
        step(live, organizer, "reveal")
    screen = client.get(f"/live/screen/{live.screen_token}",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "highest, dropped" in screen and "lowest, dropped" in screen
    assert "7.00" in screen
    ranked = round_ranking(live.contest, live.round, with_intervals=False)
    assert ranked.result.official == "trimmed"
    # Pitch 2: 10 and 1 dropped, 7.00; pitch 1: 9 and 5 dropped, 7.00: tied by the rule.
    assert [round(row.score, 2) for row in ranked.result.rows] == [7.0, 7.0]


def test_undo_needs_a_reason_and_restores_the_previous_state(client, world):
    live, organizer, _judges, _proposals = world
    step(live, organizer, "start")
    step(live, organizer, "qa")
    Auth(client).login(organizer)
    refused = client.post(f"/admin/live/{live.id}/undo", data={"version": live.version,
                                                                "reason": ""})
    assert refused.status_code == 302
    db.session.refresh(live)
    assert live.state == LiveState.QA
    client.post(f"/admin/live/{live.id}/undo", data={"version": live.version,
                                                     "reason": "按错了"})
    db.session.refresh(live)
    assert live.state == LiveState.PRESENTING
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="live.undone"))
    assert event.detail["reason"] == "按错了" and event.detail["step"] == "qa"


def test_no_shows_skips_and_moves_change_the_running_order(world):
    live, organizer, _judges, _proposals = world
    first, second, third = live.pitches
    step(live, organizer, "down", first.id)
    assert [p.id for p in live.pitches] == [second.id, first.id, third.id]
    step(live, organizer, "no_show", second.id)
    step(live, organizer, "start")
    assert live.current_pitch_id == first.id
    step(live, organizer, "skip", first.id)
    assert live.state == LiveState.WAITING and first.status == PitchStatus.SKIPPED
    step(live, organizer, "restore", first.id)
    assert first.status == PitchStatus.PENDING


def test_the_final_ranking_is_revealed_from_the_bottom_up(client, contest):
    live, organizer, judges, _proposals = live_world(contest, judges=3, finalists=3)
    for index, total in enumerate([6, 9, 7]):
        for name in ("start", "open"):
            step(live, organizer, name)
        _score_pitch(client, live, judges, [total] * 3)
        step(live, organizer, "close")
        step(live, organizer, "reveal")
    step(live, organizer, "ranking")
    url = f"/live/screen/{live.screen_token}"
    titles = {pitch.proposal.title: pitch for pitch in live.pitches}
    assert not any(title in _text(client, url) for title in titles)
    # Tiers: first prize 1, second prize 3: the bottom group is the second prize (two finalists).
    step(live, organizer, "reveal_next")
    shown = _text(client, url)
    assert "Second prize" in shown and "First prize" not in shown
    assert live.pitches[0].proposal.title in shown and live.pitches[2].proposal.title in shown
    step(live, organizer, "reveal_next")
    assert "First prize" in _text(client, url)


def _text(client, url):
    return client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_host_page_resumes_the_state_and_shows_who_scored_not_scores(client, world):
    live, organizer, judges, _proposals = world
    step(live, organizer, "start")
    step(live, organizer, "open")
    _score_pitch(client, live, judges[:1], [9])
    Auth(client).login(organizer)
    page = _text(client, f"/admin/live/{live.id}/host")
    assert "Scoring: 1 of 3 judges" in page and "评委0" in page
    assert not re.search(r"9\.00", page)
    client.post(f"/admin/live/{live.id}/remind", data={"judge_id": judges[1].id})
    Auth(client).login(judges[1])
    assert "The host reminds you" in _text(client, f"/live/{live.id}/judge")
    step(live, organizer, "close")
    Auth(client).login(organizer)
    assert "9.00" in _text(client, f"/admin/live/{live.id}/host")


def test_setting_up_needs_finalists(client, contest):
    organizer = make_user("host@example.org", organizer=True)
    db.session.add(Round(contest=contest, position=2, code="final", name_zh="终审"))
    db.session.commit()
    Auth(client).login(organizer)
    page = client.post(f"/admin/contests/{contest.slug}/live/create", follow_redirects=True,
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No proposal has advanced" in page
    assert db.session.scalar(db.select(db.func.count(LiveSession.id))) == 0


def test_the_screen_is_rendered_once_per_change_and_its_timer_says_when(client, world,
                                                                        monkeypatch):
    live, organizer, _judges, _proposals = world
    step(live, organizer, "start")
    from portal.live import views
    renders = []
    monkeypatch.setattr(views, "board", lambda live: renders.append(1) or board(live))
    url = f"/live/screen/{live.screen_token}?fragment=1"
    first, second = client.get(url), client.get(url)
    assert first.get_data() == second.get_data() and len(renders) == 1
    assert float(second.headers["X-Live-Now"]) >= float(re.search(
        r'data-rendered-at="([\d.]+)"', second.get_data(as_text=True)).group(1))
    step(live, organizer, "qa")
    assert client.get(url).get_data() != first.get_data() and len(renders) == 2


def test_the_audit_log_tells_every_pitch_day_step_in_a_sentence(client, world):
    live, organizer, judges, proposals = world
    first, second, _third = live.pitches
    reference = {proposal.id: proposal.reference for proposal in proposals}
    on_stage, moved = reference[first.proposal_id], reference[second.proposal_id]
    step(live, organizer, "no_show", second.id)
    step(live, organizer, "start")
    step(live, organizer, "open")
    services.remind(organizer, live, judges[1])
    db.session.commit()
    services.undo_last(organizer, live, live.version, "按错了")
    db.session.commit()
    Auth(client).login(organizer)
    url = f"/admin/contests/{live.contest.slug}/audit"
    page = _text(client, url)
    host = organizer.display_name or organizer.email
    for sentence in (f"{host} set up the pitch day of Final",
                     f"{host} marked {moved} as absent",
                     f"{host} called {on_stage} on stage to present",
                     f"{host} opened the scoring of {on_stage}",
                     f"{host} reminded judge J002 to score {on_stage}",
                     f"{host} undid the last pitch-day step (Pitch day: scoring opened). "
                     "Reason: 按错了"):
        assert sentence in page
    chinese = client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for sentence in (f"{host} 将 {moved} 标记为缺席", f"{host} 请 {on_stage} 上台路演",
                     f"{host} 提醒评审专家 J002 为 {on_stage} 评分",
                     f"{host} 撤销了路演的上一步（路演：开始评分），理由：按错了"):
        assert sentence in chinese


@pytest.mark.parametrize("path", ["/live/screen/{token}", "/admin/live/{id}/host",
                                  "/live/{id}/judge"])
def test_each_page_reads_the_same_number_of_queries_however_many_pitches(
        client, contest, count_queries, path):
    """One revealed pitch or two: the pages' queries do not grow with the pitches."""
    live, organizer, judges, _proposals = live_world(contest, judges=3, finalists=5)
    counts = []
    for _pitch in range(2):
        for name in ("start", "open"):
            step(live, organizer, name)
        _score_pitch(client, live, judges, [7, 8, 9])
        step(live, organizer, "close")
        step(live, organizer, "reveal")
        Auth(client).login(judges[0] if "judge" in path else organizer)
        url = path.format(token=live.screen_token, id=live.id)
        client.get(url)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        counts.append(counted.total)
    assert counts[0] == counts[1] and counts[0] <= 40


def test_the_phone_offers_scores_to_tap_yes_or_no_and_a_box_for_a_fine_scale(client, world):
    live, organizer, judges, _proposals = world
    typed, tapped, answered = live.contest.criteria
    typed.scale_step = Decimal("0.5")    # 19 scores: typed
    answered.kind = YES_NO.code
    db.session.commit()
    step(live, organizer, "start")
    step(live, organizer, "open")
    Auth(client).login(judges[0])
    page = client.get(f"/live/{live.id}/judge", headers={"Accept-Language": "zh-CN"}).get_data(True)

    def choices(criterion):
        start = f'<fieldset class="mb-3 score-choices" id="criterion_{criterion.id}"'
        group = page[page.index(start):]
        group = group[:group.index("</fieldset>")]
        return re.findall(r'type="radio"[^>]*value="([^"]+)"', group), \
            re.findall(r'class="btn btn-outline-primary score-choice"[^>]*>([^<]+)<', group)

    assert choices(answered) == (["10", "1"], ["是", "否"])
    assert choices(tapped) == ([str(n) for n in range(1, 11)], [str(n) for n in range(1, 11)])
    assert f'id="criterion_{typed.id}"' in page and "score-choices\" id=\"criterion_" \
        f"{typed.id}" not in page
    box = re.search(rf'<input[^>]*name="criterion_{typed.id}"[^>]*>', page).group(0)
    assert "live-score-input" in box and 'step="0.5"' in box
    refused = send(client, live, live.current_pitch_id, 5, "k-five")
    assert refused.status_code == 409 and refused.json["message"] == "Answer yes or no."
    assert send(client, live, live.current_pitch_id, 10, "k-yes").status_code == 200
    review = db.session.scalar(db.select(Review))
    assert [review.score_for(criterion.id) for criterion in live.contest.criteria] == [10] * 3
