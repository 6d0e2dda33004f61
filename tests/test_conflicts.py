"""Conflicts of interest: automatic ones block viewing and assigning, judges declare and recuse,
organizers add, remove and waive with a reason, and every change is audited."""
import io

import pytest

from portal import policy
from portal.errors import DomainError
from portal.extensions import db
from portal.judging.assigning import assign_judges
from portal.rules.conflicts import assess, contest_rows
from portal.models import Assignment, AuditEvent, Conflict, ConflictKind
from tests.factories import pdf_file, assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}
PDF = pdf_file()


def audit(action):
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action)
                              .order_by(AuditEvent.id)).all()


def attach(client, auth, proposal, applicant):
    auth.login(applicant)
    client.post(f"/proposals/{proposal.id}/attachments",
                data={"file": (io.BytesIO(PDF), "计划书.pdf")}, content_type="multipart/form-data")
    db.session.refresh(proposal)
    (attachment,) = proposal.attachments
    return attachment


def automatic_conflict(judge, proposal):
    """Whether a conflict stands for the pair as assignment reads it (recorded or automatic)."""
    found = assess([proposal], [judge], contest_rows(proposal.contest_id, judge.id))
    return found.conflicted(proposal.id, judge.id)


@pytest.mark.parametrize("judge_email, judge_organization, conflicted", [
    ("zhao@zzu.edu.cn", None, True),               # same private email domain
    ("zhao@mail.zzu.edu.cn", None, False),         # another domain (a subdomain is not the same)
    ("zhao@163.com", None, False),                 # a public mail provider
    ("zhao@example.org", "郑州大学 爱心社", True),   # same organization, spelled differently
    ("zhao@example.org", "郑州大学青年志愿者协会", False),
])
def test_automatic_conflicts(app_context, contest, judge_email, judge_organization, conflicted):
    applicant = make_user("wang@zzu.edu.cn", organization="郑州大学爱心社。")
    proposal = make_proposal(contest, applicant)
    judge = make_judge(contest, judge_email, organization=judge_organization)
    assert automatic_conflict(judge, proposal) is conflicted
    if conflicted:
        with pytest.raises(DomainError, match="conflict of interest|利益冲突"):
            assign_judges(None, proposal, [judge.id], contest.rounds[0])
    else:
        assert len(assign_judges(None, proposal, [judge.id], contest.rounds[0])) == 1


def test_the_contact_email_of_the_proposal_counts_too(app_context, contest):
    proposal = make_proposal(contest, make_user("wang@163.com"),
                             contact_email="office@zzcharity.org.cn")
    judge = make_judge(contest, "li@zzcharity.org.cn")
    assert automatic_conflict(judge, proposal)


def test_has_conflict_needs_one_query(app_context, contest, count_queries):
    proposal = make_proposal(contest, make_user("wang@zzu.edu.cn"))
    judge = make_judge(contest, "li@zzu.edu.cn")
    for number in range(5):
        db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id,
                                kind=ConflictKind.DECLARED_ORGANIZATION,
                                organization=f"协会{number}"))
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id, proposal_id=proposal.id,
                            kind=ConflictKind.DECLARED_PROPOSAL))
    db.session.commit()
    assert proposal.contest_id and judge.email  # loaded, as in a request that opened them
    with count_queries() as counted:
        assert policy.has_conflict(judge, proposal)
    assert counted.total == 1


@pytest.fixture
def declared(client, auth, contest, organizer):
    """A judge assigned to a proposal with an attachment, before any conflict is known."""
    applicant = make_user("wang@example.org", organization="绿城志愿者协会")
    proposal = make_proposal(contest, applicant, title="冲突测试项目")
    attachment = attach(client, auth, proposal, applicant)
    judge = make_judge(contest, "li@example.org", name="李评委")
    (assignment,) = assign(proposal, judge, actor=organizer)
    auth.login(judge)
    return judge, proposal, assignment, attachment


def what_the_judge_sees(client, assignment, attachment):
    return (client.get(f"/judge/assignments/{assignment.id}").status_code,
            client.get(f"/judge/assignments/{assignment.id}?read=1").status_code,
            client.get(f"/attachments/{attachment.id}").status_code,
            "冲突测试项目" in client.get("/judge").get_data(as_text=True))


@pytest.mark.parametrize("guess", ["绿城志愿者协会", "阳光助老服务中心"])
def test_declaring_an_organization_does_not_tell_the_judge_whether_it_applied(
        client, auth, contest, organizer, declared, guess):
    """Regression: a right guess used to answer 404, a wrong one 200 (a conflict oracle)."""
    judge, proposal, assignment, attachment = declared
    before = what_the_judge_sees(client, assignment, attachment)
    assert before == (200, 200, 200, True)
    url = f"/judge/contests/{contest.slug}/conflicts"
    response = client.post(url, data={"organization": f" {guess} ", "reason": "曾任理事"},
                           headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Your conflict of interest has been recorded." in page and guess in page
    assert what_the_judge_sees(client, assignment, attachment) == before
    (event,) = audit("conflict.organization_declared")
    assert event.detail["organization"] == guess and event.actor_id == judge.id
    again = client.post(url, data={"organization": guess}, headers=EN)
    assert "already declared" in again.get_data(as_text=True)
    # The organizers see a right guess, and adding the conflict removes the assignment.
    auth.login(organizer)
    page = client.get(conflicts_url(contest), headers=EN).get_data(as_text=True)
    assert ("Still assigned" in page) is (guess == "绿城志愿者协会")
    (row,) = db.session.scalars(db.select(Conflict)).all()
    auth.login(judge)
    client.post(f"{url}/{row.id}/delete")
    assert db.session.scalars(db.select(Conflict)).all() == []
    assert len(audit("conflict.organization_withdrawn")) == 1
    assert what_the_judge_sees(client, assignment, attachment) == before


def test_a_declared_organization_keeps_its_proposals_from_being_assigned(
        client, auth, contest, organizer):
    applicant = make_user("wang@example.org", organization="绿城志愿者协会")
    proposal = make_proposal(contest, applicant)
    judge = make_judge(contest, "li@example.org")
    auth.login(judge)
    client.post(f"/judge/contests/{contest.slug}/conflicts",
                data={"organization": "绿城志愿者协会"})
    with pytest.raises(DomainError, match="conflict of interest|利益冲突"):
        assign_judges(organizer, proposal, [judge.id], contest.rounds[0])


def test_a_judge_changing_their_organization_does_not_change_access(client, auth, declared):
    judge, _proposal, assignment, attachment = declared
    before = what_the_judge_sees(client, assignment, attachment)
    judge.organization = "绿城志愿者协会"
    db.session.commit()
    assert what_the_judge_sees(client, assignment, attachment) == before


def test_the_conflicts_page_is_for_judges_of_the_contest(client, auth, contest, applicant):
    auth.login(applicant)
    assert client.get(f"/judge/contests/{contest.slug}/conflicts").status_code == 403
    client.post("/logout")
    assert client.get(f"/judge/contests/{contest.slug}/conflicts").status_code == 302


def test_the_assignment_first_shows_only_the_title_and_theme(client, declared):
    judge, proposal, assignment, _attachment = declared
    page = client.get(f"/judge/assignments/{assignment.id}", headers=EN).get_data(as_text=True)
    assert "冲突测试项目" in page and "Elderly care" in page
    assert "I have a conflict (recuse)" in page and "Continue to the proposal" in page
    assert proposal.summary not in page and proposal.need not in page
    assert "计划书" not in page and "criterion_" not in page
    full = client.get(f"/judge/assignments/{assignment.id}?read=1").get_data(as_text=True)
    assert proposal.summary in full and "criterion_" in full


def test_recusing_removes_the_assignment_for_good(client, auth, contest, organizer, declared):
    judge, proposal, assignment, attachment = declared
    assignment_id, attachment_id = assignment.id, attachment.id
    response = client.post(f"/judge/assignments/{assignment_id}/recuse",
                           data={"reason": "申报人是我的学生"}, headers=EN, follow_redirects=True)
    assert "You have recused yourself" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Assignment)).all() == []
    (conflict,) = db.session.scalars(db.select(Conflict)).all()
    assert (conflict.kind, conflict.proposal_id, conflict.judge_id, conflict.reason) == (
        ConflictKind.DECLARED_PROPOSAL, proposal.id, judge.id, "申报人是我的学生")
    (event,) = audit("assignment.recused")
    assert event.detail["proposal"] == proposal.id and event.detail["removed_review"] is None
    assert client.get(f"/judge/assignments/{assignment_id}").status_code == 404
    assert client.get(f"/attachments/{attachment_id}").status_code == 404
    assert "冲突测试项目" not in client.get("/judge").get_data(as_text=True)
    assert "冲突测试项目" in client.get(f"/judge/contests/{contest.slug}/conflicts").get_data(True)
    with pytest.raises(DomainError, match="conflict of interest|利益冲突"):
        assign_judges(organizer, proposal, [judge.id], contest.rounds[0])
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/rounds/{contest.rounds[0].id}/assign"
                      "?k=1", headers=EN).get_data(as_text=True)
    assert "0 new assignment(s)" in page and "1 judge(s) for k=1" not in page


def test_recusing_after_scoring_keeps_the_scores_in_the_audit_log(client, declared):
    judge, proposal, assignment, _attachment = declared
    review(assignment, 5, 6, 7, submit=False)
    client.post(f"/judge/assignments/{assignment.id}/recuse", data={})
    (event,) = audit("assignment.recused")
    assert event.detail["removed_review"]["scores"]["operability"] == "7.00"


def test_another_judges_recusal_is_refused(client, auth, contest, organizer, declared):
    _judge, proposal, assignment, _attachment = declared
    other = make_judge(contest, "other@example.org")
    auth.login(other)
    assert client.post(f"/judge/assignments/{assignment.id}/recuse").status_code == 404
    assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 1


def conflicts_url(contest):
    return f"/admin/contests/{contest.slug}/conflicts"


def test_an_organizer_adds_a_conflict_with_a_reason(client, auth, contest, organizer, declared):
    judge, proposal, assignment, _attachment = declared
    review(assignment, 8, 8, 8)
    auth.login(organizer)
    refused = client.post(conflicts_url(contest), headers=EN, data={
        "judge_id": judge.id, "reference": proposal.reference, "reason": ""})
    assert "Give the reason" in refused.get_data(as_text=True)
    unknown = client.post(conflicts_url(contest), headers=EN, data={
        "judge_id": judge.id, "reference": "ZZCF-2014-9999", "reason": "亲属"})
    assert "No proposal of this contest has this reference number." in unknown.get_data(True)
    response = client.post(conflicts_url(contest), headers=EN, follow_redirects=True, data={
        "judge_id": judge.id, "reference": proposal.reference.lower(), "reason": "申报人是评委的亲属"})
    page = response.get_data(as_text=True)
    assert "The conflict of interest has been recorded." in page
    assert "recorded by the organizers" in page and "申报人是评委的亲属" in page
    (conflict,) = db.session.scalars(db.select(Conflict)).all()
    assert conflict.kind == ConflictKind.ORGANIZER and conflict.created_by_id == organizer.id
    (event,) = audit("conflict.added")
    assert event.detail["reason"] == "申报人是评委的亲属"
    # The judge's open assignment goes, its scores kept in the audit log only.
    assert db.session.scalars(db.select(Assignment)).all() == []
    (removed,) = audit("assignment.removed_for_conflict")
    assert removed.detail["removed_review"]["scores"]["innovation"] == "8.00"


def test_an_organizer_removes_a_recorded_conflict(client, auth, contest, organizer, declared):
    judge, proposal, assignment, _attachment = declared
    client.post(f"/judge/assignments/{assignment.id}/recuse")
    # The request deleted that assignment: forget it, since SQLite may give its id to the next.
    db.session.expunge(assignment)
    auth.login(organizer)
    url = f"{conflicts_url(contest)}/remove?judge={judge.id}&proposal={proposal.id}"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "the judge recused" in page
    assert "Give the reason" in client.post(url, data={"reason": ""}, headers=EN).get_data(True)
    client.post(url, data={"reason": "评委误点了回避"})
    assert db.session.scalars(db.select(Conflict)).all() == []
    (event,) = audit("conflict.removed")
    assert event.detail["kind"] == ConflictKind.DECLARED_PROPOSAL
    assert event.detail["reason"] == "评委误点了回避"
    assert len(assign_judges(organizer, proposal, [judge.id], contest.rounds[0])) == 1


def test_an_organizer_waives_an_automatic_conflict(client, auth, contest, organizer):
    proposal = make_proposal(contest, make_user("wang@zzu.edu.cn"))
    judge = make_judge(contest, "zhao@zzu.edu.cn", name="赵评委")
    auth.login(organizer)
    page = client.get(conflicts_url(contest), headers=EN).get_data(as_text=True)
    assert "same email domain" in page and "赵评委" in page and proposal.reference in page
    url = f"{conflicts_url(contest)}/remove?judge={judge.id}&proposal={proposal.id}"
    client.post(url, data={"reason": "不同学院，互不相识"})
    (waiver,) = db.session.scalars(db.select(Conflict)).all()
    assert waiver.kind == ConflictKind.WAIVER and waiver.reason == "不同学院，互不相识"
    (event,) = audit("conflict.waived")
    assert event.detail["reasons"] == ["same_email_domain"]
    assert not automatic_conflict(judge, proposal)
    page = client.get(conflicts_url(contest), headers=EN).get_data(as_text=True)
    assert "No conflict of interest." in page and "不同学院，互不相识" in page
    assert len(assign_judges(organizer, proposal, [judge.id], contest.rounds[0])) == 1
    db.session.commit()
    # Adding a conflict for the pair again lifts the waiver.
    client.post(conflicts_url(contest), data={
        "judge_id": judge.id, "reference": proposal.reference, "reason": "发现是同一课题组"})
    kinds = db.session.scalars(db.select(Conflict.kind)).all()
    assert kinds == [ConflictKind.ORGANIZER] and policy.has_conflict(judge, proposal)


def test_removing_a_conflict_that_does_not_exist_is_refused(client, auth, contest, organizer,
                                                            applicant):
    proposal = make_proposal(contest, applicant)
    judge = make_judge(contest)
    auth.login(organizer)
    url = f"{conflicts_url(contest)}/remove?judge={judge.id}&proposal={proposal.id}"
    response = client.post(url, data={"reason": "试试"}, headers=EN, follow_redirects=True)
    assert "There is no conflict of interest" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Conflict)).all() == []


def test_the_conflicts_page_is_bounded_in_queries(client, auth, contest, organizer,
                                                  count_queries):
    judge = make_judge(contest, "zhao@zzu.edu.cn")
    auth.login(organizer)
    make_proposal(contest, make_user("u0@zzu.edu.cn"))
    with count_queries() as small:
        client.get(conflicts_url(contest))
    for number in range(1, 6):
        make_proposal(contest, make_user(f"u{number}@zzu.edu.cn"))
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id,
                            kind=ConflictKind.DECLARED_ORGANIZATION, organization="某协会"))
    db.session.commit()
    with count_queries() as large:
        client.get(conflicts_url(contest))
    assert large.total == small.total
