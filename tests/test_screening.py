"""Eligibility screening (形式审查): decisions, reasons emailed, correction, bulk, undo."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Proposal, ProposalStatus, utcnow
from portal.timezones import to_beijing_naive
from tests.factories import assign, close_submissions, email_text, make_judge, make_proposal, \
    make_user

EN = {"Accept-Language": "en"}


@pytest.fixture
def submitted(app_context, contest, applicant):
    return make_proposal(contest, applicant)


def screen(client, proposal, decision, reason="", until=None):
    data = {"decision": decision, "reason": reason}
    if until is not None:
        data["correction_until"] = to_beijing_naive(until).strftime("%Y-%m-%dT%H:%M")
    return client.post(f"/admin/proposals/{proposal.id}/screening", data=data, headers=EN,
                       follow_redirects=True)


def test_ineligible_with_a_reason_the_applicant_sees_and_receives(client, auth, organizer,
                                                                 submitted, outbox):
    auth.login(organizer)
    screen(client, submitted, "ineligible", reason="预算超出上限")
    db.session.refresh(submitted)
    assert submitted.status == ProposalStatus.INELIGIBLE and submitted.status_note == "预算超出上限"
    message = outbox()[-1]
    assert message["To"] == submitted.applicant.email and "预算超出上限" in email_text(message)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="proposal.screened"))
    assert event.actor_id == organizer.id and event.detail["reason"] == "预算超出上限"
    auth.login(submitted.applicant)
    page = client.get("/my/proposals").get_data(as_text=True)
    assert "预算超出上限" in page


def test_ineligible_needs_a_reason(client, auth, organizer, submitted):
    auth.login(organizer)
    response = screen(client, submitted, "ineligible")
    assert "Give the reason" in response.get_data(as_text=True)
    assert db.session.get(Proposal, submitted.id).status == ProposalStatus.SUBMITTED


def test_return_for_correction_lets_the_applicant_resubmit_after_the_deadline(
        client, auth, organizer, contest, submitted):
    auth.login(organizer)
    screen(client, submitted, "returned", reason="请补充预算明细", until=utcnow() + timedelta(days=3))
    close_submissions(contest)
    auth.login(submitted.applicant)
    page = client.get(f"/proposals/{submitted.id}", headers=EN).get_data(as_text=True)
    assert "Returned for correction" in page and "请补充预算明细" in page
    response = client.post(f"/proposals/{submitted.id}/submit", follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(submitted)
    assert submitted.status == ProposalStatus.SUBMITTED and submitted.correction_until is None


def test_return_needs_a_future_date(client, auth, organizer, submitted):
    auth.login(organizer)
    response = screen(client, submitted, "returned", reason="补充", until=utcnow() - timedelta(1))
    assert "future date" in response.get_data(as_text=True)


def test_after_the_correction_date_the_returned_proposal_is_frozen(app_context, contest,
                                                                  submitted, organizer):
    from portal.errors import DomainError
    from portal.proposals.services import submit_proposal
    from portal.proposals.screening.services import decide
    decide(organizer, submitted, "returned", "补充", utcnow() + timedelta(minutes=5))
    close_submissions(contest)
    with pytest.raises(DomainError):
        submit_proposal(submitted.applicant, submitted, now=utcnow() + timedelta(minutes=10))


def test_bulk_decision_for_a_selection(client, auth, organizer, contest, submitted):
    other = make_proposal(contest, make_user("b@example.org"))
    untouched = make_proposal(contest, make_user("c@example.org"))
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/screening", follow_redirects=True,
                           data={"decision": "eligible", "proposal_ids": [submitted.id, other.id]},
                           headers=EN)
    assert "2 decision(s) recorded." in response.get_data(as_text=True)
    statuses = {p.id: p.status for p in db.session.scalars(db.select(Proposal))}
    assert statuses == {submitted.id: "eligible", other.id: "eligible",
                        untouched.id: "submitted"}


def test_bulk_decisions_only_touch_this_contest(client, auth, organizer, contest, submitted):
    from tests.factories import make_contest
    elsewhere = make_proposal(make_contest(slug="zzcf-2015"), make_user("x@example.org"))
    auth.login(organizer)
    client.post(f"/admin/contests/{contest.slug}/screening",
                data={"decision": "eligible", "proposal_ids": [elsewhere.id]})
    assert db.session.get(Proposal, elsewhere.id).status == ProposalStatus.SUBMITTED


def test_undo_until_judging_starts(client, auth, organizer, contest, submitted):
    auth.login(organizer)
    screen(client, submitted, "eligible")
    client.post(f"/admin/proposals/{submitted.id}/screening/undo")
    assert db.session.get(Proposal, submitted.id).status == ProposalStatus.SUBMITTED
    screen(client, submitted, "eligible")
    assign(db.session.get(Proposal, submitted.id), make_judge(contest), actor=organizer)
    response = client.post(f"/admin/proposals/{submitted.id}/screening/undo", headers=EN,
                           follow_redirects=True)
    assert "Judging of" in response.get_data(as_text=True)
    assert db.session.get(Proposal, submitted.id).status == ProposalStatus.ELIGIBLE


def test_applicants_cannot_screen(client, auth, applicant, submitted):
    auth.login(applicant)
    assert screen(client, submitted, "eligible").status_code == 403


class TestProposalTable:
    @pytest.fixture
    def table(self, app_context, contest):
        rows = [("助学项目甲", 4, "郑州大学青协"), ("安老项目乙", 0, "绿城社工"),
                ("助学项目丙", 4, "河南大学爱心社")]
        made = [make_proposal(contest, make_user(f"t{n}@example.org", organization=org),
                              title=title, theme_index=theme)
                for n, (title, theme, org) in enumerate(rows)]
        made[0].status = ProposalStatus.INELIGIBLE
        db.session.commit()
        return made

    def get(self, client, contest, query=""):
        return client.get(f"/admin/contests/{contest.slug}/proposals{query}",
                          headers=EN).get_data(as_text=True)

    def test_filter_by_theme_and_status_with_counts(self, client, auth, organizer, contest, table):
        auth.login(organizer)
        page = self.get(client, contest, "?theme=education_aid")
        assert "助学项目甲" in page and "助学项目丙" in page and "安老项目乙" not in page
        assert "Ineligible (1)" in page and "Submitted (1)" in page
        page = self.get(client, contest, "?theme=education_aid&status=ineligible")
        assert "助学项目甲" in page and "助学项目丙" not in page

    def test_search_title_reference_and_organization(self, client, auth, organizer, contest,
                                                     table):
        auth.login(organizer)
        assert "安老项目乙" in self.get(client, contest, "?q=绿城")
        assert "助学项目丙" not in self.get(client, contest, "?q=绿城")
        assert "助学项目甲" in self.get(client, contest, f"?q={table[0].reference}")

    def test_sort_by_any_column(self, client, auth, organizer, contest, table):
        auth.login(organizer)
        # Chinese titles in pinyin order, on SQLite and PostgreSQL alike: 安 an < 助 zhu, and
        # 丙 bing < 甲 jia (code point order would give 助 < 安 and 丙 < 甲 the other way).
        page = self.get(client, contest, "?sort=title")
        assert page.index("安老项目乙") < page.index("助学项目丙") < page.index("助学项目甲")
        page = self.get(client, contest, "?sort=title&dir=desc")
        assert page.index("助学项目甲") < page.index("助学项目丙") < page.index("安老项目乙")

    def test_pagination(self, client, auth, organizer, contest, table, monkeypatch):
        from portal.proposals import table as services
        monkeypatch.setattr(services, "PER_PAGE", 2)
        auth.login(organizer)
        first, second = self.get(client, contest), self.get(client, contest, "?page=2")
        assert "3 proposals" in first and "page=2" in first
        assert sum(title in second for title in ("助学项目甲", "安老项目乙", "助学项目丙")) == 1

    @pytest.mark.parametrize("query", ["?page=abc", "?sort=__class__", "?status=<x>",
                                       "?theme=nope", "?q=%25%25%25", "?page=999"])
    def test_odd_queries_are_harmless(self, client, auth, organizer, contest, table, query):
        auth.login(organizer)
        assert client.get(f"/admin/contests/{contest.slug}/proposals{query}").status_code == 200
