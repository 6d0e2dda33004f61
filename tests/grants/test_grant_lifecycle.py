"""Grants from finalization to the last tranche: creation, tranches, reports, budget changes."""
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy.orm.attributes import set_committed_value

from portal.errors import DomainError
from portal.extensions import db
from portal.grants import reports, services
from portal.models import AuditEvent, ChangeStatus, ReportStatus, Tranche
from tests.grants.helpers import funded, report_of


@pytest.fixture(autouse=True)
def english(app_context):
    """The refusals read in English here (the portal's default language is Chinese)."""
    with force_locale("en"):
        yield


@pytest.fixture
def grant(contest, organizer, applicant):
    return funded(contest, organizer, applicant)


def test_finalization_creates_the_grant_from_the_award(grant, contest):
    assert grant.amount_fen == 3_000_000
    assert [(t.percent, t.amount_fen, t.condition) for t in grant.tranches] == [
        (50, 1_500_000, "signing"), (30, 900_000, "midterm"), (20, 600_000, "final")]
    assert [(line.item, line.planned_fen) for line in grant.lines] == [
        ("志愿者交通补贴", 2_000_000), ("健康监测设备", 1_500_000)]
    assert [m.title for m in grant.milestones] == ["招募并培训志愿者", "每周上门探访", "中期总结"]
    assert grant.milestones[-1].due_on == grant.ends_on
    assert sorted(r.kind for r in grant.reports) == ["final", "midterm"]
    assert db.session.scalar(db.select(AuditEvent.id).filter_by(action="grant.created"))
    # Finalizing creates no second grant when asked again (a contest finalized earlier).
    assert services.create_grants(None, contest) == []


def test_tranche_amounts_add_up_exactly():
    from portal.grants.money import split_by_percent
    for amount in (1, 99, 100_001, 3_333_333, 10 ** 12 + 7):
        parts = split_by_percent(amount, [50, 30, 20])
        assert sum(parts) == amount and min(parts) >= 0


def test_a_tranche_waits_for_its_condition_and_is_released_once(grant, organizer, app):
    signing, midterm, _final = grant.tranches
    today = services.beijing_today()
    with pytest.raises(DomainError, match="condition"):
        services.release_tranche(organizer, signing, today, "TX-1")
    grant.agreement_stored = "x" * 32  # the agreement is on file
    services.release_tranche(organizer, signing, today, "TX-1")
    db.session.commit()
    with pytest.raises(DomainError, match="already"):
        services.release_tranche(organizer, signing, today, "TX-2")
    # A stale copy (another organizer's request loaded it before the release): the
    # conditional UPDATE releases nothing.
    db.session.expire_all()
    stale = db.session.get(Tranche, signing.id)
    set_committed_value(stale, "released_on", None)  # as the other request read it
    with pytest.raises(DomainError, match="already"):
        services.release_tranche(organizer, stale, today, "TX-3")
    db.session.rollback()
    assert db.session.get(Tranche, signing.id).release_reference == "TX-1"
    with pytest.raises(DomainError, match="condition"):
        services.release_tranche(organizer, midterm, today, "TX-4")
    with pytest.raises(DomainError, match="future"):
        services.release_tranche(organizer, midterm, today + timedelta(days=1), "TX-4")


def test_spending_above_a_line_needs_an_approved_change(grant, applicant, organizer):
    transport, devices = grant.lines
    midterm = report_of(grant, "midterm")
    over = {transport.id: 2_000_001}
    with pytest.raises(DomainError, match="budget"):
        reports.save_report(applicant, midterm, "做了很多", 60, "", over, submit=True)
    db.session.rollback()
    # 3,000 yuan of 15,000 is 20 %: above the 10 % threshold, so it waits.
    change = reports.request_change(applicant, grant, devices.id, transport.id, 300_000, "涨价")
    assert change.status == ChangeStatus.PENDING
    with pytest.raises(DomainError, match="budget"):
        reports.save_report(applicant, midterm, "做了很多", 60, "", over, submit=True)
    db.session.rollback()
    reports.decide_change(organizer, db.session.merge(change), approve=True)
    reports.save_report(applicant, midterm, "做了很多", 60, "", over, submit=True)
    assert midterm.status == ReportStatus.SUBMITTED and not midterm.late
    # A small shift (at most 10 % of the giving line) applies at once.
    small = reports.request_change(applicant, grant, transport.id, devices.id, 100, "零头")
    assert small.status == ChangeStatus.APPROVED


def test_a_late_report_is_accepted_and_marked_late(grant, applicant, organizer):
    midterm = report_of(grant, "midterm")
    midterm.due_on = date(2020, 1, 1)
    assert reports.is_late(midterm)
    reports.save_report(applicant, midterm, "补交", 10, None, {}, submit=True)
    assert midterm.late and midterm.status == ReportStatus.SUBMITTED
    with pytest.raises(DomainError, match="reasons"):
        reports.review_report(organizer, midterm, accept=False, reason=" ")
    reports.review_report(organizer, midterm, accept=False, reason="请补充照片")
    assert midterm.status == ReportStatus.RETURNED
    reports.save_report(applicant, midterm, "补交并附照片", 12, None, {}, submit=True)
    reports.review_report(organizer, midterm, accept=True)
    assert midterm.status == ReportStatus.ACCEPTED and midterm.return_reason is None
    with pytest.raises(DomainError):
        reports.save_report(applicant, midterm, "再改", 12, None, {})


def test_negative_amounts_are_refused(grant, applicant, organizer):
    midterm = report_of(grant, "midterm")
    with pytest.raises(DomainError, match="negative"):
        reports.save_report(applicant, midterm, "x", 1, None, {grant.lines[0].id: -1})
    with pytest.raises(DomainError, match="negative"):
        services.update_grant(organizer, grant, -5, [50, 30, 20], grant.starts_on,
                              grant.ends_on, grant.starts_on, grant.ends_on)


def test_sums_over_many_lines_stay_exact(contest, organizer, applicant):
    from decimal import Decimal
    lines = [{"item": f"项目 {n}", "amount": Decimal("0.10"), "note": None} for n in range(300)]
    grant = funded(contest, organizer, applicant, grant=Decimal("30.00"), budget_lines=lines)
    from portal.grants.followup import grant_figures
    from portal.grants.money import yuan
    assert grant_figures(grant).budget_fen == 3000
    assert yuan(grant_figures(grant).budget_fen) == Decimal("30.00")  # never 29.999999...
    midterm = report_of(grant, "midterm")
    reports.save_report(applicant, midterm, "x", 1, None,
                        {line.id: 10 for line in grant.lines}, submit=True)
    assert grant_figures(grant).spent_fen == 3000
