"""The organizers' ranked list and its CSV export."""
import csv
import io

from portal.extensions import db
from portal.models import Proposal, ProposalStatus, User, utcnow
from portal.exports.formats import spreadsheet_safe
from tests.factories import assign, make_judge, make_proposal, make_user, review


def build_contest(contest, organizer):
    """Three proposals: 8.0 (two reviews), 9.0 and a tied 8.0 in another theme, one unreviewed."""
    judges = [make_judge(contest, f"j{n}@example.org") for n in (1, 2)]
    a = make_proposal(contest, make_user("a@example.org"), title="甲项目", theme_index=0)
    b = make_proposal(contest, make_user("b@example.org"), title="乙项目", theme_index=0)
    c = make_proposal(contest, make_user("c@example.org"), title="=HYPERLINK(\"x\")",
                      theme_index=4)
    d = make_proposal(contest, make_user("d@example.org"), title="丁项目", theme_index=4)
    first, second = assign(a, *judges, actor=organizer)
    review(first, 9, 8, 7)     # 8
    review(second, 7, 8, 9)    # 8
    (only,) = assign(b, judges[0], actor=organizer)
    review(only, 9, 9, 9)
    (third,) = assign(c, judges[1], actor=organizer)
    review(third, 8, 8, 8)
    (draft_only,) = assign(d, judges[1], actor=organizer)
    review(draft_only, 10, 10, 10, submit=False)  # a draft review does not count
    return a, b, c, d


def test_the_ranking_orders_by_mean_score_with_ties(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)
    assert page.index("乙项目") < page.index("甲项目") < page.index("丁项目")
    assert "9.00" in page and "8.00" in page and "并列" in page


def test_the_ranking_within_a_theme(client, auth, contest, organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking?theme=education_aid").get_data(True)
    assert "丁项目" in page and "甲项目" not in page


def test_the_csv_opens_in_excel_and_is_safe(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/exports/download?format=csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "主题内排名", "项目编号", "项目名称"]
    body = {row[2]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert body[b.reference]["排名"] == "1" and float(body[b.reference]["得分"]) == 9
    assert body[a.reference]["排名"] == "2" and body[a.reference]["并列"] == "是"
    assert body[c.reference]["排名"] == "2" and body[c.reference]["主题内排名"] == "1"
    assert body[c.reference]["项目名称"] == "'=HYPERLINK(\"x\")"  # never run as a formula
    assert body[d.reference]["排名"] == "" and body[d.reference]["评分表数"] == "0"
    assert body[a.reference]["所在机构"] == "绿城志愿者协会"


def test_withdrawn_proposals_leave_the_ranking(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    b.status = ProposalStatus.WITHDRAWN
    db.session.commit()
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)
    assert "乙项目" not in page


def test_spreadsheet_safe_cells():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("+86 138") == "'+86 138"
    assert spreadsheet_safe("普通文本") == "普通文本"
    assert spreadsheet_safe(None) == ""
    assert spreadsheet_safe(7) == "7"


def test_every_method_and_the_interval_are_shown(client, auth, contest, organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Per-judge standardized" in page and "Trimmed mean" in page
    assert "Judge-bias model" in page and "95% interval" in page and "rank 1–" in page


def test_the_uncertainty_runs_once_per_change_of_scores(client, auth, contest, organizer,
                                                        monkeypatch):
    from portal.results import ranking
    a, b, c, d = build_contest(contest, organizer)
    calls = []
    real = ranking.rank_uncertainty
    monkeypatch.setattr(ranking, "rank_uncertainty",
                        lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/ranking"
    client.get(url)
    client.get(url)
    client.get(url + "?theme=education_aid")
    assert len(calls) == 1
    judge = make_judge(contest, "late@example.org")
    (late,) = assign(d, judge, actor=organizer)
    review(late, 3, 3, 3)
    client.get(url)
    assert len(calls) == 2


def test_the_official_method_and_tie_break_are_settings(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    auth.login(organizer)
    innovation = contest.criteria[0].code
    client.post(f"/admin/contests/{contest.slug}/ranking/settings", data={
        "ranking_method": "plain", "tie_break_1": innovation, "tie_break_2": "submitted_at",
        "ranking_boundary": "2"})
    db.session.refresh(contest)
    assert contest.ranking_method == "plain"
    assert contest.tie_break == [innovation, "submitted_at"]
    page = client.get(f"/admin/contests/{contest.slug}/ranking",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    # a and c tie at 8.00 and on innovation (8 on average each); a was submitted first.
    assert page.index("甲项目") < page.index("HYPERLINK")
    assert "tie broken by earlier submission" in page and "top 2" in page


def test_judge_statistics_page(client, auth, contest, organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking/judges",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "j1" in page and "j2" in page and "fewer than 5 reviews" in page
    assert "Agreement between judges" in page


def test_an_empty_round_ranks_nothing(client, auth, contest, organizer):
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No proposal is in competition yet." in page


def add_final_round(contest):
    from portal.models import Round
    contest.rounds.append(Round(code="final", name_zh="终审", name_en="Final round", position=2))
    db.session.commit()


def test_advance_the_top_n_overall_to_the_final_round(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    add_final_round(contest)
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/ranking/advance?round=first",
                           data={"mode": "overall", "count": "1"})
    assert response.status_code == 302
    statuses = {p.id: p.status for p in db.session.scalars(db.select(Proposal))}
    assert statuses[b.id] == "advanced" and statuses[a.id] == "submitted"
    page = client.get(f"/admin/contests/{contest.slug}/ranking?round=final").get_data(True)
    assert "乙项目" in page and "甲项目" not in page


def test_advance_per_theme_and_by_hand(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    add_final_round(contest)
    auth.login(organizer)
    client.post(f"/admin/contests/{contest.slug}/ranking/advance?round=first",
                data={"mode": "per_theme", "count": "1"})
    advanced = {p.id for p in db.session.scalars(db.select(Proposal).filter_by(status="advanced"))}
    assert advanced == {b.id, c.id}
    client.post(f"/admin/contests/{contest.slug}/ranking/advance?round=first",
                data={"mode": "selected", "proposal_ids": [a.id]})
    assert db.session.get(Proposal, a.id).status == "advanced"


def test_advancing_needs_a_later_round(client, auth, contest, organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/ranking/advance",
                           data={"mode": "overall", "count": "1"}, follow_redirects=True,
                           headers={"Accept-Language": "en"})
    assert "no later round" in response.get_data(as_text=True)


def test_a_review_by_a_judge_found_conflicted_later_does_not_count(client, auth, contest,
                                                                  organizer):
    from portal.models import Conflict, ConflictKind
    a, b, c, d = build_contest(contest, organizer)
    judge = db.session.scalar(db.select(User).filter_by(email="j1@example.org"))
    contest.rounds[0].closed_at = contest.rounds[0].closed_at or utcnow()
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id, proposal_id=b.id,
                            kind=ConflictKind.ORGANIZER, reason="late discovery"))
    db.session.commit()
    auth.login(organizer)
    rows = list(csv.reader(io.StringIO(client.get(
        f"/admin/contests/{contest.slug}/exports/download?format=csv").data.decode("utf-8-sig"))))
    body = {row[2]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert body[b.reference]["评分表数"] == "0"  # j1's review of b no longer counts


def test_a_review_by_a_judge_of_the_same_organization_found_later_does_not_count(
        client, auth, contest, organizer):
    a, b, _c, _d = build_contest(contest, organizer)
    judge = db.session.scalar(db.select(User).filter_by(email="j1@example.org"))
    judge.organization = b.organization = "郑州大学青年志愿者协会"   # found after the scores
    db.session.commit()
    auth.login(organizer)
    rows = list(csv.reader(io.StringIO(client.get(
        f"/admin/contests/{contest.slug}/exports/download?format=csv").data.decode("utf-8-sig"))))
    body = {row[2]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert body[b.reference]["评分表数"] == "0" and body[a.reference]["评分表数"] == "2"


def test_the_ranking_settings_service_sets_and_audits(app_context, contest, organizer):
    from portal.models import AuditEvent
    from portal.results.settings import save_ranking_settings
    code = contest.criteria[0].code
    save_ranking_settings(organizer, contest, "plain", [code], 3)
    db.session.flush()
    assert (contest.ranking_method, contest.tie_break, contest.ranking_boundary) == \
        ("plain", [code], 3)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="ranking.settings_changed"))
    assert (event.detail["method"], event.detail["tie_break"], event.detail["boundary"]) == \
        ("plain", [code], 3)
    save_ranking_settings(organizer, contest, "plain", [], 3)
    assert contest.tie_break is None
