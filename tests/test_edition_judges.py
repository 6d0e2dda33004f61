"""Copying an edition brings its judges as invitations that wait until the organizer sends them."""
import re

from portal.accounts.invitations import PURPOSE, invitation_from_token
from portal.extensions import db
from portal.judging.services import set_judge_active
from portal.models import Contest, Invitation, JudgeMembership
from portal.tokens import make_token
from tests.factories import email_text, make_judge, make_proposal

EN = {"Accept-Language": "en"}


def copy_with_judges(client, auth, contest, organizer, **data):
    keen = make_judge(contest, "keen@example.org", name="周评委", themes=("elderly_care",
                                                                       "education_aid"))
    retired = make_judge(contest, "retired@example.org", name="吴评委")
    set_judge_active(organizer, db.session.scalar(db.select(JudgeMembership).filter_by(
        user_id=retired.id)), False)
    db.session.commit()
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/copy",
                           data={"slug": "zzcf-2015", "name_zh": "第二届", **data})
    assert response.status_code == 302
    return keen, db.session.scalar(db.select(Contest).filter_by(slug="zzcf-2015"))


def test_the_judges_come_as_invitations_that_wait(client, auth, contest, organizer, outbox):
    keen, copy = copy_with_judges(client, auth, contest, organizer, invite_judges="y")
    sent_before = len([m for m in outbox() if "第二届" in m["Subject"]])
    (invitation,) = db.session.scalars(db.select(Invitation).filter_by(contest_id=copy.id))
    assert invitation.email == "keen@example.org" and invitation.sent_at is None
    assert sorted(invitation.theme_codes) == ["education_aid", "elderly_care"]
    assert sent_before == 0                                  # nothing sent yet
    # Even a valid signature does not open an invitation that was never sent.
    assert invitation_from_token(make_token(PURPOSE, {"invitation": invitation.id})) is None
    page = client.get(f"/admin/contests/{copy.slug}/judges", headers=EN).get_data(as_text=True)
    assert "1 invitation waits to be sent" in page and "not sent yet" in page

    response = client.post(f"/admin/contests/{copy.slug}/invitations/send", headers=EN,
                           follow_redirects=True)
    assert "Invitations sent: 1." in response.get_data(as_text=True)
    (message,) = [m for m in outbox() if "第二届" in m["Subject"]]
    token = re.search(r"/invitations/([^\s]+)", email_text(message)).group(1)
    db.session.refresh(invitation)
    assert invitation.sent_at is not None and invitation_from_token(token) == invitation


def test_no_judges_unless_asked(client, auth, contest, organizer):
    _keen, copy = copy_with_judges(client, auth, contest, organizer)
    assert db.session.scalar(db.select(db.func.count(Invitation.id)).filter_by(
        contest_id=copy.id)) == 0


def test_a_judge_who_applied_meanwhile_is_not_invited(client, auth, contest, organizer,
                                                      outbox):
    keen, copy = copy_with_judges(client, auth, contest, organizer, invite_judges="y")
    copy.opens_at = contest.opens_at
    db.session.commit()
    make_proposal(copy, keen, submit=False)   # a draft is enough to keep them from judging
    response = client.post(f"/admin/contests/{copy.slug}/invitations/send", headers=EN,
                           follow_redirects=True)
    assert "Invitations sent: 0." in response.get_data(as_text=True)
    (invitation,) = db.session.scalars(db.select(Invitation).filter_by(contest_id=copy.id))
    assert invitation.revoked_at is not None and invitation.sent_at is None


def test_one_waiting_invitation_can_be_sent_alone(client, auth, contest, organizer, outbox):
    _keen, copy = copy_with_judges(client, auth, contest, organizer, invite_judges="y")
    (invitation,) = db.session.scalars(db.select(Invitation).filter_by(contest_id=copy.id))
    client.post(f"/admin/invitations/{invitation.id}/resend")
    db.session.refresh(invitation)
    assert invitation.sent_at is not None and invitation.revoked_at is None
    assert any(m["To"] == "keen@example.org" for m in outbox())
