"""The grant pages through HTTP: each state change, who may make it, and what bad input gets."""
import io

import pytest

from portal.extensions import db
from portal.models import AuditEvent, BudgetChange, Grant, GrantReport, OutboxMessage, Tranche
from tests.factories import make_user, pdf_file
from tests.grants.helpers import funded, report_of

PDF = pdf_file()


@pytest.fixture
def grant(contest, organizer, applicant):
    return funded(contest, organizer, applicant)


def _fresh(model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


def test_the_grantee_sees_only_their_own_grant(client, auth, grant, applicant):
    other = make_user("other@example.org")
    auth.login(applicant)
    mine = client.get("/grants/")
    assert mine.status_code == 200 and grant.proposal.title in mine.get_data(as_text=True)
    assert client.get(f"/grants/{grant.id}").status_code == 200
    auth.login(other)
    assert grant.proposal.title not in client.get("/grants/").get_data(as_text=True)
    assert client.get(f"/grants/{grant.id}").status_code == 404
    midterm = report_of(grant, "midterm")
    assert client.get(f"/grants/reports/{midterm.id}").status_code == 404
    assert client.post(f"/grants/reports/{midterm.id}", data={"narrative": "x"}).status_code == 404


def test_report_draft_submit_return_and_accept(client, auth, grant, applicant, organizer):
    midterm = report_of(grant, "midterm")
    transport, devices = grant.lines
    url = f"/grants/reports/{midterm.id}"
    auth.login(applicant)
    data = {"narrative": "招募了 30 名志愿者", "beneficiaries": "45", "problems": "",
            f"line_{transport.id}": "5,000.50", f"line_{devices.id}": "", "save": "1"}
    assert client.post(url, data=data).status_code == 302
    assert _fresh(GrantReport, midterm.id).status == "due"
    bad = client.post(url, data={**data, f"line_{transport.id}": "-3"})
    assert bad.status_code == 422 and "不能为负数" in bad.get_data(as_text=True)
    over = client.post(url, data={**data, f"line_{transport.id}": "20000.01", "save": "",
                                  "send": "1"})
    assert over.status_code == 422 and "超过其预算" in over.get_data(as_text=True)
    sent = client.post(url, data={**data, "save": "", "send": "1"})
    assert sent.status_code == 302
    report = _fresh(GrantReport, midterm.id)
    assert report.status == "submitted" and report.spending[0].spent_fen == 500_050
    # Submitted: the grantee can no longer change it.
    assert client.post(url, data={**data, "narrative": "改了"}).status_code == 422
    # Only organizers review.
    review = f"/admin/grant-reports/{midterm.id}/review"
    assert client.post(review, data={"accept": "1"}).status_code == 403
    auth.login(organizer)
    assert "请说明" not in client.get(url).get_data(as_text=True)
    refused = client.post(review, data={"send_back": "1", "reason": ""}, follow_redirects=True)
    assert _fresh(GrantReport, midterm.id).status == "submitted"
    assert refused.status_code == 200
    client.post(review, data={"send_back": "1", "reason": "请补充发票"})
    report = _fresh(GrantReport, midterm.id)
    assert report.status == "returned" and report.return_reason == "请补充发票"
    assert db.session.scalar(db.select(OutboxMessage.subject).filter(
        OutboxMessage.recipient == applicant.email).order_by(OutboxMessage.id.desc()))
    auth.login(applicant)
    assert "请补充发票" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={**data, "save": "", "send": "1"}).status_code == 302
    auth.login(organizer)
    client.post(review, data={"accept": "1"})
    assert _fresh(GrantReport, midterm.id).status == "accepted"
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"grant.report_submitted", "grant.report_returned", "grant.report_accepted"} <= actions


def test_tranches_are_released_by_organizers_once_their_condition_holds(client, auth, grant,
                                                                        applicant, organizer):
    signing = grant.tranches[0]
    release = f"/admin/tranches/{signing.id}/release"
    data = {"released_on": "2026-01-05", "reference": "BANK-0001"}
    auth.login(applicant)
    assert client.post(release, data=data).status_code == 403
    assert client.post(f"/admin/grants/{grant.id}/agreement",
                       data={"file": (io.BytesIO(PDF), "协议.pdf")}).status_code == 403
    auth.login(organizer)
    client.post(release, data=data)
    assert _fresh(Tranche, signing.id).released_on is None  # no agreement on file yet
    fake = client.post(f"/admin/grants/{grant.id}/agreement",
                       data={"file": (io.BytesIO(b"MZ not a pdf"), "协议.pdf")})
    assert fake.status_code == 422 and _fresh(Grant, grant.id).agreement_stored is None
    assert client.post(f"/admin/grants/{grant.id}/agreement",
                       data={"file": (io.BytesIO(PDF), "协议.pdf")}).status_code == 302
    assert client.post(release, data={**data, "reference": ""}).status_code == 302
    assert _fresh(Tranche, signing.id).released_on is None
    client.post(release, data=data)
    client.post(release, data={**data, "reference": "BANK-0002"})
    tranche = _fresh(Tranche, signing.id)
    assert tranche.release_reference == "BANK-0001" and tranche.released_on.isoformat() == \
        "2026-01-05"
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
        action="grant.tranche_released")) == 1
    auth.login(applicant)
    page = client.get(f"/grants/{grant.id}").get_data(as_text=True)
    assert "BANK-0001" in page
    assert client.get(f"/grants/{grant.id}/agreement").status_code == 200


def test_grant_settings_exact_amounts_and_frozen_after_a_release(client, auth, grant,
                                                                 organizer):
    url = f"/admin/grants/{grant.id}"
    auth.login(organizer)
    assert client.get(url).status_code == 200
    data = {"amount": "12,345.67", "signing_percent": "40", "midterm_percent": "40",
            "final_percent": "20", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "midterm_due": "2026-07-01", "final_due": "2027-01-31"}
    assert client.post(url, data=data).status_code == 302
    saved = _fresh(Grant, grant.id)
    assert saved.amount_fen == 1_234_567
    assert [t.amount_fen for t in saved.tranches] == [493_826, 493_826, 246_915]
    assert sum(t.amount_fen for t in saved.tranches) == 1_234_567
    for amount in ("-1", "12.345", "abc"):
        assert client.post(url, data={**data, "amount": amount}).status_code == 422
    assert client.post(url, data={**data, "final_percent": "30"}).status_code == 422
    assert client.post(url, data={**data, "ends_on": "2025-01-01"}).status_code == 422
    saved.tranches[0].released_on = saved.starts_on
    db.session.commit()
    frozen = client.post(url, data={**data, "amount": "20000"})
    assert frozen.status_code == 422 and _fresh(Grant, grant.id).amount_fen == 1_234_567


def test_budget_change_over_the_threshold_waits_for_the_organizer(client, auth, grant,
                                                                  applicant, organizer):
    transport, devices = grant.lines
    auth.login(applicant)
    data = {"from_line": devices.id, "to_line": transport.id, "amount": "3000",
            "reason": "交通费上涨"}
    assert client.post(f"/grants/{grant.id}/budget-changes", data=data).status_code == 302
    change = db.session.scalar(db.select(BudgetChange))
    assert change.status == "pending"
    same = client.post(f"/grants/{grant.id}/budget-changes",
                       data={**data, "to_line": devices.id})
    assert same.status_code == 422
    decide = f"/admin/budget-changes/{change.id}/decide"
    assert client.post(decide, data={"approve": "1"}).status_code == 403
    auth.login(organizer)
    client.post(decide, data={"approve": "1"})
    assert _fresh(BudgetChange, change.id).status == "approved"
    client.post(decide, data={"reject": "1"})
    assert _fresh(BudgetChange, change.id).status == "approved"  # decided once


def test_milestones_proposed_approved_and_reached(client, auth, grant, applicant, organizer):
    auth.login(applicant)
    bad = client.post(f"/grants/{grant.id}/milestones", data={"milestones": "下月 开始"})
    assert bad.status_code == 422
    client.post(f"/grants/{grant.id}/milestones",
                data={"milestones": "2026-03-01 招募志愿者\n2026-06-30 首批探访"})
    saved = _fresh(Grant, grant.id)
    assert [m.title for m in saved.milestones] == ["招募志愿者", "首批探访"]
    assert not saved.milestones_approved
    first = saved.milestones[0]
    client.post(f"/grants/milestones/{first.id}/reached", data={"reached_on": "2026-01-02"})
    assert _fresh(Grant, grant.id).milestones[0].reached_on is None  # not approved yet
    assert client.post(f"/admin/grants/{grant.id}/milestones/approve").status_code == 403
    auth.login(organizer)
    client.post(f"/admin/grants/{grant.id}/milestones/approve")
    assert _fresh(Grant, grant.id).milestones_approved
    assert client.post(f"/grants/milestones/{first.id}/reached",
                       data={"reached_on": "2026-01-02"}).status_code == 404
    auth.login(applicant)
    client.post(f"/grants/milestones/{first.id}/reached", data={"reached_on": "2026-01-02"})
    assert _fresh(Grant, grant.id).milestones[0].reached_on.isoformat() == "2026-01-02"


def test_report_attachments_are_checked_by_content(client, auth, grant, applicant, organizer):
    midterm = report_of(grant, "midterm")
    auth.login(applicant)
    url = f"/grants/reports/{midterm.id}/attachments"
    disguised = client.post(url, data={"file": (io.BytesIO(PDF), "photo.png")})
    assert disguised.status_code == 422
    assert client.post(url, data={"file": (io.BytesIO(PDF), "发票.pdf")}).status_code == 302
    attachment = _fresh(GrantReport, midterm.id).attachments[0]
    assert client.get(f"/grants/report-files/{attachment.id}").data == PDF
    auth.login(make_user("other@example.org"))
    assert client.get(f"/grants/report-files/{attachment.id}").status_code == 404
    auth.login(organizer)
    assert client.get(f"/grants/report-files/{attachment.id}").status_code == 200


def test_public_progress_needs_the_grantees_consent(client, auth, grant, applicant, contest):
    page = f"/contests/{contest.slug}/progress/{grant.id}"
    assert client.get(page).status_code == 404
    assert page not in client.get(f"/contests/{contest.slug}/results").get_data(as_text=True)
    auth.login(applicant)
    client.post(f"/grants/{grant.id}/consent", data={"public_progress": "y"})
    auth.logout()
    assert page in client.get(f"/contests/{contest.slug}/results").get_data(as_text=True)
    shown = client.get(page)
    assert shown.status_code == 200 and grant.proposal.title in shown.get_data(as_text=True)
    english = client.get(page, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Milestones reached" in english
    auth.login(applicant)
    client.post(f"/grants/{grant.id}/consent", data={})
    auth.logout()
    assert client.get(page).status_code == 404


def test_the_dashboard_counts_reports_and_money(client, auth, grant, organizer, applicant,
                                                contest):
    from portal.grants import reports
    midterm = report_of(grant, "midterm")
    reports.save_report(applicant, midterm, "进展", 10, None,
                        {grant.lines[0].id: 123_456}, submit=True)
    db.session.commit()
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/grants").get_data(as_text=True)
    assert "¥30,000.00" in page and "¥1,234.56" in page and "<meter" in page
    auth.login(applicant)
    assert client.get(f"/admin/contests/{contest.slug}/grants").status_code == 403


def test_grants_for_a_contest_finalized_before_grants_existed(client, auth, grant, organizer,
                                                             contest):
    db.session.delete(grant)
    db.session.commit()
    auth.login(organizer)
    client.post(f"/admin/contests/{contest.slug}/grants/create")
    assert db.session.scalar(db.select(db.func.count(Grant.id))) == 1


def test_each_report_prints_as_a_pdf_for_its_grantee_and_the_organizers(client, auth, grant,
                                                                       applicant, organizer):
    from pypdf import PdfReader

    from portal.grants import reports
    midterm = report_of(grant, "midterm")
    reports.save_report(applicant, midterm, "完成志愿者招募\n开始每周探访", 45, "<b>交通费上涨</b>",
                        {grant.lines[0].id: 123_456}, submit=True)
    db.session.commit()
    url = f"/grants/reports/{midterm.id}.pdf"
    auth.login(applicant)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("中期报告", "完成志愿者招募", "开始每周探访", "¥1,234.56", "¥20,000.00",
                     "<b>交通费上涨</b>", "45"):
        assert expected in text, expected
    auth.login(make_user("other@example.org"))
    assert client.get(url).status_code == 404
    auth.login(organizer)
    assert client.get(url).status_code == 200
