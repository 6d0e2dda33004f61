"""PIPL: download my data, delete my account, retention purge."""
import io
import json
import zipfile
from datetime import timedelta

from portal.extensions import db
from portal.models import AuditEvent, Proposal, ProposalStatus, User, utcnow
from tests.factories import PASSWORD, assign, make_judge, make_proposal, review
from tests.test_attachments import PDF, upload

EN = {"Accept-Language": "en"}


def test_download_my_data(client, auth, contest, applicant):
    auth.login(applicant)
    proposal = make_proposal(contest, applicant, title="我的项目")
    upload(client, proposal, PDF, "计划书.pdf")
    response = client.post("/account/data")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == applicant.email and profile["phone"] == "13800138000"
    (record,) = json.loads(archive.read("proposals.json"))
    assert record["title"] == "我的项目" and record["reference"] == proposal.reference
    assert record["budget_lines"][0]["item"] == "志愿者交通补贴"
    attachment_files = [name for name in archive.namelist() if name.startswith("attachments/")]
    assert len(attachment_files) == 1 and archive.read(attachment_files[0]) == PDF


def test_downloading_data_needs_a_post(client, auth, applicant):
    auth.login(applicant)
    assert client.get("/account/data").status_code == 405


def test_the_account_page_explains_deletion(client, auth, applicant):
    auth.login(applicant)
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert "Proposals that judges have already scored are kept" in page


def test_deleting_needs_the_password(client, auth, applicant):
    auth.login(applicant)
    response = client.post("/account/delete", data={"password": "wrong password!"}, headers=EN)
    assert "The password is wrong." in response.get_data(as_text=True)
    db.session.refresh(applicant)
    assert applicant.erased_at is None


def test_deleting_the_account_keeps_judged_proposals_anonymized(client, auth, contest, applicant,
                                                               organizer):
    auth.login(applicant)
    judged = make_proposal(contest, applicant, title="已评审的项目")
    upload(client, judged, PDF, "计划书.pdf")
    pending = make_proposal(contest, applicant, title="未评审的项目")
    draft = make_proposal(contest, applicant, submit=False, title="草稿")
    judge = make_judge(contest)
    (assignment,) = assign(judged, judge, actor=organizer)
    review(assignment, 8, 8, 8)
    user_id, judged_id, pending_id, draft_id = applicant.id, judged.id, pending.id, draft.id

    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    kept = db.session.get(Proposal, judged_id)
    assert kept.applicant_id is None and kept.contact_phone is None and kept.team is None
    assert kept.attachments == [] and kept.title == "已评审的项目"
    assert db.session.get(Proposal, pending_id) is None
    assert db.session.get(Proposal, draft_id) is None
    erased = db.session.get(User, user_id)
    assert erased.erased_at is not None and not erased.active
    assert "@" in erased.email and "applicant" not in erased.email
    assert erased.phone is None and erased.display_name is None
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="account.erased"))
    assert event.actor_id == user_id and event.detail is None
    assert client.get("/my/proposals").status_code == 302  # logged out
    assert auth.login("applicant@example.org").status_code == 200  # cannot log in again


def test_purge_expired_anonymizes_old_contests(runner, app_context, applicant):
    from tests.factories import make_contest
    old = make_contest(slug="zzcf-2010", opens="-1500 days", deadline="-1400 days")
    old.opens_at, old.submission_deadline = utcnow() - timedelta(days=10), \
        utcnow() + timedelta(days=10)
    db.session.commit()
    kept = make_proposal(old, applicant)
    old.opens_at, old.submission_deadline = utcnow() - timedelta(days=1500), \
        utcnow() - timedelta(days=1400)
    db.session.commit()
    current = make_contest()
    fresh = make_proposal(current, applicant)
    kept_id, fresh_id = kept.id, fresh.id
    result = runner.invoke(args=["purge-expired"])
    assert "1 proposal" in result.output
    db.session.rollback()
    assert db.session.get(Proposal, kept_id).applicant_id is None
    assert db.session.get(Proposal, kept_id).status == ProposalStatus.SUBMITTED
    assert db.session.get(Proposal, fresh_id).applicant_id == applicant.id
