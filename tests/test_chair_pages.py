"""A theme chair's (主题负责人) organizer pages beyond the proposals (issue 25): the dashboard,
the judges and their statistics, rounds, automatic assignment, reassignment, conflicts, the
award list and certificates, paper scores. Each shows or acts on the chair's themes only, and
nothing of another theme shows, not even a count or a theme's name. The access matrix
(tests/test_access_matrix.py) holds every route's status for a chair in and out of a theme."""
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Assignment, AuditEvent, Award, Conflict, ConflictKind, \
    JudgeMembership, Review
from portal.results.ranking import ranking_within_themes
from tests.factories import PASSWORD, assign, link_in, make_chair, make_judge, make_proposal, \
    make_user, review
from tests.test_exports import build_contest as build_export_contest
from tests.test_results import build_contest
from tests.test_score_import import good_rows, paper_world, upload, workbook_bytes

EN = {"Accept-Language": "en"}


@pytest.fixture
def chair(contest):
    """The chair of the contest's first theme (Elderly care)."""
    return make_chair(contest, "chair@example.org", themes=[contest.themes[0].code])


def page(client, url):
    response = client.get(url, headers=EN)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def other_theme_names(contest, own=(0,)):
    return [theme.name_en for index, theme in enumerate(contest.themes) if index not in own]


def judging_rows(text):
    """The judging progress table of the dashboard: (assignments, reviews) per round."""
    table = text.split('id="judging"', 1)[1].split("</table>", 1)[0]
    return [tuple(int(n) for n in row) for row in
            re.findall(r'data-value="(\d+)">\d+</td>\s*<td class="text-end" data-value="(\d+)"',
                       table)]


def test_the_dashboard_counts_the_chairs_themes_only(client, auth, contest, organizer, chair):
    build_contest(contest, organizer)   # a, b (3 reviews) in the chair's theme; c, d outside
    auth.login(chair)
    text = page(client, f"/admin/contests/{contest.slug}/dashboard")
    assert "2 proposals submitted" in text and contest.themes[0].name_en in text
    assert not [name for name in other_theme_names(contest) if name in text]
    assert judging_rows(text) == [(3, 3)]
    auth.login(organizer)
    text = page(client, f"/admin/contests/{contest.slug}/dashboard")
    assert "4 proposals submitted" in text and judging_rows(text) == [(5, 4)]


def test_the_judges_page_lists_the_chairs_judges_and_their_themes_work(
        client, auth, contest, organizer, chair, outbox):
    own, other = contest.themes[0], contest.themes[4]
    make_judge(contest, "expert@example.org", name="本主题专家", themes=[own.code])
    outsider = make_judge(contest, "outsider@example.org", name="外主题专家",
                          themes=[other.code])
    both = make_judge(contest, "both@example.org", name="两边评委",
                      themes=[own.code, other.code])   # shown with the chair's theme only
    conflicted = make_judge(contest, "conflicted@example.org", name="回避评委")
    mine = make_proposal(contest, make_user("a@example.org"), theme_index=0)
    theirs = make_proposal(contest, make_user("b@example.org"), theme_index=4)
    (first,) = assign(mine, both, actor=organizer)
    review(first, 8, 8, 8)
    assign(theirs, both, outsider, actor=organizer)
    db.session.add(Conflict(contest_id=contest.id, judge_id=conflicted.id, proposal_id=mine.id,
                            kind=ConflictKind.DECLARED_PROPOSAL, reason="同事"))
    db.session.commit()
    auth.login(organizer)
    client.post(f"/admin/contests/{contest.slug}/judges",
                data={"email": "staff.invited@example.org", "themes": [other.code]})
    auth.login(chair)
    url = f"/admin/contests/{contest.slug}/judges"
    # The chair invites a judge without expertise: theirs all the same; another theme's code
    # is not a choice.
    assert client.post(url, data={"email": "x@example.org", "themes": [other.code]},
                       headers=EN).status_code == 200
    assert client.post(url, data={"email": "invited@example.org",
                                  "themes": []}).status_code == 302
    (message,) = [m for m in outbox() if m["To"] == "invited@example.org"]
    client.post("/logout")
    client.post(link_in(message, "/invitations/"), data={
        "display_name": "受邀评委", "password": PASSWORD, "confirm": PASSWORD})
    auth.login(chair)
    text = page(client, url)
    for name in ("本主题专家", "两边评委", "回避评委", "受邀评委"):
        assert name in text
    assert "外主题专家" not in text and "staff.invited@example.org" not in text
    assert "1 / 1" in text and "1 / 2" not in text     # both's work in the chair's theme
    assert "/judges/remind" not in text and "/deactivate" not in text
    assert not [name for name in other_theme_names(contest) if name in text]
    auth.login(organizer)
    text = page(client, url)
    assert "外主题专家" in text and "1 / 2" in text and "staff.invited@example.org" in text


def test_judge_statistics_count_the_chairs_themes_reviews_only(client, auth, contest,
                                                                organizer, chair):
    a, b, c, d = build_contest(contest, organizer)   # j2 reviewed a (own theme) and c
    statistics = ranking_within_themes(contest, contest.rounds[0], {contest.themes[0].id})
    assert sorted(stats.review_count for stats in statistics.result.judges) == [1, 2]
    assert set(statistics.facts) == {a.id, b.id}
    auth.login(chair)
    text = page(client, f"/admin/contests/{contest.slug}/ranking/judges")
    assert "Computed on the reviews of your themes" in text and c.reference not in text
    ranking = page(client, f"/admin/contests/{contest.slug}/ranking")
    assert "/ranking/judges" in ranking and "Ranking settings" not in ranking


def test_the_rounds_are_read_only_for_a_chair(client, auth, contest, organizer, chair):
    build_contest(contest, organizer)
    auth.login(chair)
    text = page(client, f"/admin/contests/{contest.slug}/rounds")
    contest_round = contest.rounds[0]
    assert "3 / 3" in text and "/close" not in text and "/parts/rounds" not in text
    assert f"/rounds/{contest_round.id}/assign" in text
    assert client.post(f"/admin/contests/{contest.slug}/rounds/{contest_round.id}/close"
                       ).status_code == 403
    assert client.get(f"/admin/contests/{contest.slug}/rounds/{contest_round.id}/reopen"
                      ).status_code == 403
    auth.login(organizer)
    text = page(client, f"/admin/contests/{contest.slug}/rounds")
    assert "4 / 5" in text and "/close" in text


def test_the_chairs_automatic_assignment_plans_their_themes_only(client, auth, contest,
                                                                 organizer, chair):
    judges = [make_judge(contest, f"j{n}@example.org",
                         themes=[contest.themes[0].code, contest.themes[n].code])
              for n in (1, 2)]
    mine = [make_proposal(contest, make_user(f"m{n}@example.org"), theme_index=0)
            for n in (1, 2)]
    theirs = make_proposal(contest, make_user("t@example.org"), theme_index=4)
    assign(theirs, judges[0], actor=organizer)
    auth.login(chair)
    url = f"/admin/contests/{contest.slug}/rounds/{contest.rounds[0].id}/assign"
    text = page(client, f"{url}?k=2")
    assert all(proposal.reference in text for proposal in mine)
    assert theirs.reference not in text
    assert not [name for name in other_theme_names(contest) if name in text]
    response = client.post(url, data={"k": 2, "max_load": "", "cross_theme_seats": 0})
    assert response.status_code == 302
    pairs = set(db.session.execute(db.select(Assignment.proposal_id, Assignment.judge_id)))
    assert pairs == {(theirs.id, judges[0].id)} | {(p.id, j.id) for p in mine for j in judges}
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="assignments.planned"))
    assert event.actor_id == chair.id and event.detail["themes"] == [contest.themes[0].id]


def test_the_chair_reassigns_and_assigns_within_their_themes(client, auth, contest, organizer,
                                                             chair):
    first, second = (make_judge(contest, f"j{n}@example.org") for n in (1, 2))
    mine = make_proposal(contest, make_user("m@example.org"), theme_index=0)
    theirs = make_proposal(contest, make_user("t@example.org"), theme_index=4)
    (own,) = assign(mine, first, actor=organizer)
    (other,) = assign(theirs, first, actor=organizer)
    auth.login(chair)
    assert f"/assignments/{own.id}/reassign" in page(client, f"/admin/proposals/{mine.id}")
    assert client.get(f"/admin/assignments/{other.id}/reassign").status_code == 404
    response = client.post(f"/admin/assignments/{own.id}/reassign",
                           data={"judge_id": second.id, "reason": "出差"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Assignment.judge_id).filter_by(
        proposal_id=mine.id)) == second.id
    membership_id = db.session.scalar(db.select(JudgeMembership.id).filter_by(
        user_id=second.id))
    url = f"/admin/contests/{contest.slug}/judges/{membership_id}/proposals"
    text = page(client, url)
    assert mine.reference in text and theirs.reference not in text
    assert not [name for name in other_theme_names(contest) if name in text]
    text = page(client, f"{url}?theme={contest.themes[4].code}")   # ignored: not theirs
    assert theirs.reference not in text


def test_the_conflicts_page_shows_and_takes_the_chairs_themes_only(client, auth, contest,
                                                                   organizer, chair):
    judge = make_judge(contest, "judge@example.org", name="周评委")
    mine = make_proposal(contest, make_user("m@example.org"), theme_index=0)
    theirs = make_proposal(contest, make_user("t@example.org"), theme_index=4)
    for proposal in (mine, theirs):
        db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id,
                                proposal_id=proposal.id, kind=ConflictKind.DECLARED_PROPOSAL,
                                reason="亲属"))
    db.session.commit()
    auth.login(chair)
    url = f"/admin/contests/{contest.slug}/conflicts"
    text = page(client, url)
    assert mine.reference in text and theirs.reference not in text
    refused = {}
    for reference in (theirs.reference, "ZZ-0000-999"):
        response = client.post(url, headers=EN, data={
            "reference": reference, "judge_id": judge.id, "reason": "同事"})
        refused[reference] = re.sub(re.escape(reference), "REF", response.get_data(as_text=True))
        assert response.status_code == 200
        assert "No proposal of this contest has this reference number." in refused[reference]
    remove = f"{url}/remove?proposal={{}}&judge={judge.id}"
    assert client.get(remove.format(theirs.id)).status_code == 404
    assert client.get(remove.format(mine.id)).status_code == 200


def test_the_award_list_and_certificates_hold_the_chairs_themes_only(client, auth, contest,
                                                                     organizer):
    judges, (a, b, c, d) = build_export_contest(contest, organizer)   # a awarded, theme 0
    db.session.add(Award(contest_id=contest.id, proposal_id=b.id,
                         tier_id=contest.award_tiers[1].id, grant=Decimal("1000.00"),
                         decided_by_id=organizer.id))
    db.session.commit()
    chair = make_chair(contest, "chair@example.org", themes=[contest.themes[1].code])
    auth.login(chair)
    text = page(client, f"/admin/contests/{contest.slug}/exports")
    assert "award-list.pdf" in text and "poster-a4" not in text
    listing = client.get(f"/admin/contests/{contest.slug}/exports/award-list.pdf")
    listed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(listing.data)).pages)
    assert b.reference in listed and a.reference not in listed
    printed = client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf")
    reader = PdfReader(io.BytesIO(printed.data))
    assert len(reader.pages) == 1 and "社区空巢老人关爱行动" not in reader.pages[0].extract_text()
    auth.login(organizer)
    printed = client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf")
    assert len(PdfReader(io.BytesIO(printed.data)).pages) == 2


def test_a_chairs_certificates_printed_by_a_job_keep_their_themes(
        client, auth, contest, organizer, web_app, monkeypatch):
    """Above the threshold the certificates are printed by a job (portal.prepared), which
    keeps the chair's themes."""
    monkeypatch.setitem(web_app.config, "PORTAL_BACKGROUND_EXPORT_ROWS", 0)
    judges, (a, b, c, d) = build_export_contest(contest, organizer)   # a awarded, theme 0
    db.session.add(Award(contest_id=contest.id, proposal_id=b.id,
                         tier_id=contest.award_tiers[1].id, decided_by_id=organizer.id))
    db.session.commit()
    chair = make_chair(contest, "chair@example.org", themes=[contest.themes[1].code])
    auth.login(chair)
    response = client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf")
    assert response.status_code == 302
    printed = client.get(f"{response.location}/download")
    reader = PdfReader(io.BytesIO(printed.data))
    assert len(reader.pages) == 1 and "社区空巢老人关爱行动" not in reader.pages[0].extract_text()


def test_a_chair_without_awards_in_their_themes_prints_no_certificate(client, auth, contest,
                                                                       organizer):
    build_export_contest(contest, organizer)   # the award is the first theme's
    chair = make_chair(contest, "chair@example.org", themes=[contest.themes[4].code])
    auth.login(chair)
    response = client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf",
                          follow_redirects=True, headers=EN)
    assert "No award has been decided yet" in response.get_data(as_text=True)


def test_the_chairs_paper_scores_are_their_themes_only(client, auth, contest, organizer,
                                                        chair):
    judges, proposals = paper_world(contest, organizer)
    auth.login(chair)
    template = client.get(f"/admin/contests/{contest.slug}/score-import/template.xlsx"
                          "?round=first")
    sheet = load_workbook(io.BytesIO(template.data)).worksheets[0]
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == {proposals[0].reference}
    # Another theme's row is refused as a reference that does not exist, and nothing is saved.
    text = upload(client, contest, workbook_bytes(good_rows(proposals))).get_data(as_text=True)
    for proposal in proposals[1:]:
        assert f"No proposal of this contest has the reference {proposal.reference}." in text
    assert db.session.scalar(db.select(Review.id)) is None
    upload(client, contest, workbook_bytes(good_rows(proposals)[:2]))
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 2


@pytest.mark.parametrize("path", [
    "proposals", "ranking", "judges", "dashboard", "rounds", "conflicts", "ranking/judges",
    "exports", "score-import"])
def test_no_drop_down_or_table_names_another_theme(client, auth, contest, organizer, chair,
                                                   path):
    build_contest(contest, organizer)
    auth.login(chair)
    text = page(client, f"/admin/contests/{contest.slug}/{path}")
    assert not [name for name in other_theme_names(contest) if name in text]
    assert not [theme.code for theme in contest.themes[1:] if f'value="{theme.code}"' in text]
