"""Changes after scoring (criteria, judges, withdrawals), the ranking's badges and display, and
an export that defends every rank: no page or download ever answers 500."""
import csv
import io
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Assignment, JudgeMembership, ProposalStatus, utcnow
from portal.results.ranking import forget_computed_rankings, round_ranking
from portal.results.services import display_score
from tests.factories import SEED_FILE, assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}
NEW_CRITERION = """  - code: impact
    name: {zh: 社会影响, en: Social impact}
    weight: 1
    scale: [1, 10]
"""


@pytest.fixture
def scored(app_context, contest, organizer):
    """Three proposals reviewed by two judges each (A 8, B 6, C 7), one with a review missing."""
    judges = [make_judge(contest, f"j{n}@example.org") for n in (1, 2, 3)]
    proposals = [make_proposal(contest, make_user(f"{name}@example.org"), title=title)
                 for name, title in (("a", "甲项目"), ("b", "乙项目"), ("c", "丙项目"))]
    for proposal, scores in zip(proposals, ((8, 8), (6, 6), (7, None))):
        for assignment, score in zip(assign(proposal, *judges[:2], actor=organizer), scores):
            if score is not None:
                review(assignment, score, score, score)
    return proposals, judges


def pages(contest):
    base = f"/admin/contests/{contest.slug}"
    return [f"{base}/ranking", f"{base}/ranking/judges", f"{base}/exports/download?format=csv",
            f"{base}/exports/download?format=xlsx", f"{base}/exports/download?format=zip",
            f"{base}/exports/download?format=csv", f"{base}/awards/preview"]


def assert_every_page_answers(client, contest):
    for url in pages(contest):
        response = client.get(url, headers=EN)
        assert response.status_code in (200, 302), (url, response.status_code)


def load_seed(runner, tmp_path, text):
    path = tmp_path / "contest.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["load-contest", str(path), "--update"])
    db.session.rollback()
    forget_computed_rankings()
    return result


def test_a_criterion_added_after_scoring_marks_reviews_incomplete_and_names_the_proposals(
        client, auth, organizer, contest, scored, runner, tmp_path):
    proposals, _judges = scored
    seed = SEED_FILE.read_text(encoding="utf-8")
    result = load_seed(runner, tmp_path, seed.replace("  - code: operability",
                                                      NEW_CRITERION + "  - code: operability"))
    assert result.exit_code == 0, result.output
    db.session.refresh(contest)
    assert [criterion.code for criterion in contest.criteria][-1] in ("impact", "operability")
    auth.login(organizer)
    assert_every_page_answers(client, contest)
    page = client.get(f"/admin/contests/{contest.slug}/ranking", headers=EN).get_data(True)
    assert "lack a score on a criterion added after they were submitted" in page
    for proposal in proposals:
        assert proposal.reference in page
    ranked = round_ranking(contest)
    assert ranked.incomplete == {proposals[0].id: 2, proposals[1].id: 2, proposals[2].id: 1}
    assert all(row.score is None for row in ranked.result.rows)
    # The judges can complete them: their list and the review form answer.
    judge = scored[1][0]
    auth.logout()
    auth.login(judge)
    assert client.get("/judge", headers=EN).status_code == 200
    assignment_id = db.session.scalar(db.select(Assignment.id).filter_by(
        judge_id=judge.id, proposal_id=proposals[0].id))
    form = client.get(f"/judge/assignments/{assignment_id}", headers=EN)
    assert form.status_code == 200 and "Social impact" in form.get_data(True)
    out = tmp_path / "export.xlsx"
    exported = runner.invoke(args=["export", "--contest", contest.slug, "--format", "xlsx",
                                   "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.stat().st_size > 0


def test_removing_a_criterion_with_scores_is_refused_with_a_clear_message(
        organizer, contest, scored, runner, tmp_path):
    seed = SEED_FILE.read_text(encoding="utf-8")
    start = seed.index("  - code: operability")
    end = seed.index("\n", seed.index("scale:", start)) + 1
    result = load_seed(runner, tmp_path, seed[:start] + seed[end:])
    assert result.exit_code != 0
    assert "operability" in result.output and "cannot be removed" in result.output


def test_reweighting_a_criterion_after_scoring_ranks_again(client, auth, organizer, contest,
                                                           scored):
    proposals, _judges = scored
    first = round_ranking(contest).result.rows
    contest.criteria[0].weight = 3
    db.session.commit()
    again = round_ranking(contest).result.rows
    assert [row.proposal_id for row in again] == [row.proposal_id for row in first]
    auth.login(organizer)
    assert_every_page_answers(client, contest)


def test_a_judge_removed_and_a_proposal_withdrawn_mid_round(client, auth, organizer, contest,
                                                            scored):
    proposals, judges = scored
    membership = db.session.scalar(db.select(JudgeMembership).filter_by(
        contest_id=contest.id, user_id=judges[0].id))
    membership.active = False
    proposals[1].status = ProposalStatus.WITHDRAWN
    db.session.commit()
    auth.login(organizer)
    assert_every_page_answers(client, contest)
    ranked = round_ranking(contest)
    assert proposals[1].id not in {row.proposal_id for row in ranked.result.rows}
    db.session.delete(membership)
    db.session.commit()
    assert_every_page_answers(client, contest)


def test_fewer_reviews_than_planned_gets_a_badge_and_is_never_certain(client, auth, organizer,
                                                                      contest, scored):
    proposals, _judges = scored
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking", headers=EN).get_data(True)
    short = page[page.index(proposals[2].reference):]
    short = short[:short.index("</tr>")]
    assert "1 of 2" in short and "fewer reviews than planned" in short
    assert "too close to call" in short or "%" in short
    ranked = round_ranking(contest)
    row = next(row for row in ranked.result.rows if row.proposal_id == proposals[2].id)
    interval = ranked.intervals[proposals[2].id]
    assert ranked.under_reviewed(row) and ranked.planned[proposals[2].id] == 2
    assert interval["score_low"] < interval["score_high"]
    assert interval["flagged"] or interval["inside_probability"] < 0.2
    full = ranked.intervals[proposals[0].id]
    assert interval["score_high"] - interval["score_low"] \
        > full["score_high"] - full["score_low"]
    assert "too close to call" in page and "Chance in top" in page


def test_the_method_and_its_assumption_are_stated_and_a_split_design_is_warned_about(
        client, auth, organizer, contest, scored):
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking", headers=EN).get_data(True)
    assert "Official method: Judge-bias model" in page and "strict" in page
    assert "not the plain average" in page and "connected" in page
    # A proposal of another theme reviewed by a judge nobody else shares: two groups.
    other = make_proposal(contest, make_user("x@example.org"), title="戊项目", theme_index=4)
    loner = make_judge(contest, "loner@example.org")
    (assignment,) = assign(other, loner, actor=organizer)
    review(assignment, 5, 5, 5)
    page = client.get(f"/admin/contests/{contest.slug}/ranking", headers=EN).get_data(True)
    assert "Themes cannot be compared fairly in one list." in page and "per theme" in page
    chinese = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)
    assert "无法在同一榜单中公平比较" in chinese


def test_scores_above_the_scale_are_clipped_on_display_only():
    assert display_score(10.35, (1, 10)) == display_score(10.07, (1, 10)) == "10.00"
    assert display_score(0.5, (1, 10)) == "1.00" and display_score(10.35) == "10.35"


def test_above_the_scale_two_proposals_show_ten_and_keep_their_own_ranks(
        client, auth, organizer, contest):
    """A harsh judge's 10s are worth more than 10: shown as 10.00, ranked apart."""
    fair, harsh = (make_judge(contest, f"{name}@example.org") for name in ("fair", "harsh"))
    shared = [make_proposal(contest, make_user(f"s{n}@example.org"), title=f"共同{n}")
              for n in range(4)]
    for proposal in shared:
        for assignment, score in zip(assign(proposal, fair, harsh, actor=organizer), (10, 5)):
            review(assignment, score, score, score)
    tops = [make_proposal(contest, make_user(f"t{n}@example.org"), title=f"顶尖{n}")
            for n in range(2)]
    for proposal, score in zip(tops, (10, 9)):
        (assignment,) = assign(proposal, harsh, actor=organizer)
        review(assignment, score, score, score)
    ranked = round_ranking(contest)
    rows = {row.proposal_id: row for row in ranked.result.rows}
    high, low = rows[tops[0].id], rows[tops[1].id]
    assert high.score > low.score > 10 and (high.rank, low.rank) == (1, 2)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking", headers=EN).get_data(True)
    for proposal in tops:
        line = page[page.index(proposal.reference):]
        assert "10.00" in line[:line.index("</tr>")]
    sheet = list(csv.DictReader(io.StringIO(client.get(
        f"/admin/contests/{contest.slug}/exports/download?format=csv",
        headers=EN).data.decode("utf-8-sig"))))
    by_reference = {line["Reference"]: line for line in sheet}
    assert float(by_reference[tops[0].reference]["Score"]) == 10
    assert float(by_reference[tops[0].reference]["Official score (unclipped)"]) \
        == pytest.approx(high.score)


def recompute_ranks(lines, keys):
    """Competition ranks from the CSV alone: official score, then the tie-break columns."""
    scored = [line for line in lines if line["Official score (unclipped)"]]

    def sort_key(line):
        values = []
        for key in keys:
            value = line[key]
            values.append(value if "submission" in key else -float(value))
        return values

    levels = sorted({float(line["Official score (unclipped)"]) for line in scored},
                    reverse=True)
    merged, level_of = [], {}
    for value in levels:   # scores within 1e-9 are equal
        if merged and merged[-1] - value <= 1e-9:
            level_of[value] = level_of[merged[-1]]
        else:
            level_of[value] = len(merged)
        merged.append(value)
    order = sorted(scored, key=lambda line: (
        level_of[float(line["Official score (unclipped)"])], sort_key(line)))
    ranks, previous = {}, None
    for place, line in enumerate(order, start=1):
        key = (level_of[float(line["Official score (unclipped)"])], sort_key(line))
        ranks[line["Reference"]] = ranks[previous[1]] if previous and previous[0] == key \
            else place
        previous = (key, line["Reference"])
    return ranks


def test_the_export_alone_recomputes_every_rank_and_says_what_broke_each_tie(
        client, auth, organizer, contest):
    judges = [make_judge(contest, f"j{n}@example.org") for n in (1, 2)]
    # equal totals, broken by innovation, then by the earlier submission
    plans = [("甲", (9, 7, 8)), ("乙", (8, 8, 8)), ("丙", (8, 8, 8)), ("丁", (6, 6, 6)),
             ("戊", (7, 9, 8))]
    proposals = []
    for number, (title, scores) in enumerate(plans):
        proposal = make_proposal(contest, make_user(f"p{number}@example.org"), title=title)
        proposal.submitted_at = utcnow() - timedelta(hours=10 - number)
        db.session.commit()
        for assignment in assign(proposal, *judges, actor=organizer):
            review(assignment, *scores)
        proposals.append(proposal)
    contest.tie_break = ["innovation", "submitted_at"]
    db.session.commit()
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/exports/download?format=csv",
                          headers=EN)
    lines = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    keys = [name for name in lines[0] if name.startswith("Tie-break ") and ": " in name]
    assert keys == ["Tie-break 1: mean score on Innovation",
                    "Tie-break 2: earlier submission"]
    recomputed = recompute_ranks(lines, keys)
    assert recomputed == {line["Reference"]: int(line["Rank"]) for line in lines}
    by_title = {line["Title"]: line for line in lines}
    assert by_title["甲"]["Tie broken by"] == "mean score on Innovation"
    assert by_title["乙"]["Tie broken by"] == "earlier submission"
    assert (by_title["乙"]["Rank"], by_title["丙"]["Rank"], by_title["戊"]["Rank"]) \
        == ("2", "3", "4")
    assert all(line["Official method"].startswith("Judge-bias model") for line in lines)
    assert all("boundary: top" in line["Method settings"] for line in lines)
    assert {line["Tie-break order"] for line in lines} \
        == {"mean score on Innovation > earlier submission"}
    assert {line["Reviews planned"] for line in lines} == {"2"}
    assert all(0 <= float(line[next(k for k in line if k.startswith("Chance in top"))]) <= 1
               for line in lines)
