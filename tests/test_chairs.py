"""Theme chairs (主题负责人): rights granted per contest and per theme (issue 25). The access
matrix (tests/test_access_matrix.py) holds every route's answer for a chair inside and outside
their theme; here, what the pages they open show, and the grants themselves."""
import csv
import io
import zipfile

import pytest

from portal import policy
from portal.accounts.invitations import accept, invite
from portal.rights import grant_rights, revoke_rights
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Assignment, AuditEvent, ContestGrant, InvitationRole, Permission, ProposalStatus, \
    User
from tests.factories import PASSWORD, email_text, link_in, make_chair, make_contest, \
    make_judge, make_proposal, make_user
from tests.test_exports import EN, build_contest as build_export_contest, download
from tests.test_results import build_contest


@pytest.fixture
def chair(contest):
    """The chair of the contest's first theme (a and b of build_contest are in it)."""
    return make_chair(contest, "chair@example.org", themes=[contest.themes[0].code])


def test_a_chair_may_do_their_themes_work_only(app_context, contest, chair, organizer):
    own, other = contest.themes[0], contest.themes[4]
    assert policy.can(chair, Permission.SCREEN, contest, own)
    assert not policy.can(chair, Permission.SCREEN, contest, other)
    assert policy.can(chair, Permission.SCREEN, contest)          # a list page, filtered
    assert not policy.can_everywhere(chair, Permission.SCREEN, contest)
    assert not policy.can(chair, Permission.PUBLISH, contest, own)
    assert not policy.can(chair, Permission.SETTINGS, contest)
    assert policy.theme_scope(chair, contest, Permission.RANKING) == {own.id}
    assert policy.theme_scope(chair, contest, Permission.PUBLISH) == frozenset()
    another = make_contest(slug="zzcf-2015")
    assert not policy.can(chair, Permission.SCREEN, another)
    # A staff organizer keeps every right everywhere.
    assert policy.can(organizer, Permission.PUBLISH, contest, other)
    assert policy.theme_scope(organizer, contest, Permission.SCREEN) is None


def test_grants_and_revocations_are_audited(app_context, contest, organizer):
    user = make_user("partner@example.org")
    grant = grant_rights(organizer, contest, user, [Permission.SCREEN, Permission.EXPORT],
                         contest.themes[2:4])
    db.session.commit()
    assert policy.can(user, Permission.EXPORT, contest, contest.themes[3])
    revoke_rights(organizer, grant)
    db.session.commit()
    assert db.session.scalar(db.select(ContestGrant)) is None
    assert not policy.can(user, Permission.EXPORT, contest, contest.themes[3])
    events = db.session.scalars(db.select(AuditEvent).filter(
        AuditEvent.action.like("rights.%")).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.detail["themes"]) for e in events] == [
        ("rights.granted", organizer.id, [t.code for t in contest.themes[2:4]]),
        ("rights.revoked", organizer.id, [t.code for t in contest.themes[2:4]])]


def test_an_applicant_of_the_contest_cannot_chair_it(app_context, contest, organizer):
    applicant = make_user("applicant@example.org")
    make_proposal(contest, applicant)
    with pytest.raises(DomainError):
        invite(organizer, InvitationRole.CHAIR, applicant.email, contest=contest,
               theme_codes=[contest.themes[0].code])
    with pytest.raises(DomainError):
        grant_rights(organizer, contest, applicant, Permission.THEME_CHAIR, contest.themes[:1])
    # Invited before applying, refused on accepting.
    late = make_user("late@example.org")
    invitation, _token = invite(organizer, InvitationRole.CHAIR, late.email, contest=contest,
                                theme_codes=[contest.themes[0].code])
    make_proposal(contest, late)
    with pytest.raises(DomainError):
        accept(invitation, user=late)


def test_the_chair_sees_the_ranking_of_their_theme_only(client, auth, contest, organizer,
                                                        chair):
    build_contest(contest, organizer)   # a, b in the chair's theme; c, d in another
    auth.login(chair)
    page = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)
    assert "乙项目" in page and "甲项目" in page
    assert "丁项目" not in page and "HYPERLINK" not in page
    other = contest.themes[4].code
    page = client.get(f"/admin/contests/{contest.slug}/ranking?theme={other}")
    assert page.status_code == 200 and "丁项目" not in page.get_data(as_text=True)


def test_the_chair_screens_a_selection_of_their_theme_only(client, auth, contest, organizer,
                                                           chair):
    a, b, c, d = (make_proposal(contest, make_user(f"{n}@example.org"), theme_index=index)
                  for n, index in (("a", 0), ("b", 0), ("c", 4), ("d", 4)))
    auth.login(chair)
    client.post(f"/admin/contests/{contest.slug}/screening", data={
        "proposal_ids": [a.id, c.id], "decision": ProposalStatus.ELIGIBLE})
    for proposal in (a, c):
        db.session.refresh(proposal)
    assert a.status == ProposalStatus.ELIGIBLE and c.status == ProposalStatus.SUBMITTED
    page = client.get(f"/admin/contests/{contest.slug}/proposals").get_data(as_text=True)
    assert f"/admin/proposals/{b.id}" in page and f"/admin/proposals/{d.id}" not in page


def test_the_chairs_exports_hold_their_themes_only(client, auth, contest, organizer):
    """Four proposals in three themes (tests.test_exports), an award on the first theme's; the
    chair of the fifth theme (c and d) downloads the ZIP and the ranking CSV (the audited
    export's)."""
    judges, (a, b, c, d) = build_export_contest(contest, organizer)
    chair = make_chair(contest, "chair@example.org", themes=[contest.themes[4].code])
    auth.login(chair)
    page = client.get(f"/admin/contests/{contest.slug}/exports", headers=EN)
    assert page.status_code == 200 and "award-list.pdf" in page.get_data(as_text=True)
    assert "meeting-pack" not in page.get_data(as_text=True)   # staff and whole-contest grants
    archive = zipfile.ZipFile(io.BytesIO(download(client, contest, "zip").data))
    assert archive.namelist() == ["ranking.csv", "reviews.csv", "proposals.csv", "awards.csv"]
    sheets = {name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
              for name in archive.namelist()}
    assert {row["Reference"] for row in sheets["proposals.csv"]} == {c.reference, d.reference}
    assert {row["Reference"] for row in sheets["reviews.csv"]} == {c.reference}
    assert {row["Reference"] for row in sheets["ranking.csv"]} <= {c.reference, d.reference}
    assert sheets["awards.csv"] == []
    ranking_page = client.get(f"/admin/contests/{contest.slug}/ranking", headers=EN)
    assert "exports/download?format=csv" in ranking_page.get_data(as_text=True)
    text = download(client, contest, "csv").data.decode("utf-8-sig")
    assert c.reference in text and a.reference not in text and b.reference not in text
    # An organizer's export still holds everything.
    auth.login(organizer)
    archive = zipfile.ZipFile(io.BytesIO(download(client, contest, "zip").data))
    assert len(archive.namelist()) == 6


def test_a_chairs_large_export_prepared_by_a_job_holds_their_themes_only(
        client, auth, contest, organizer, web_app, monkeypatch):
    """Above the threshold the export is written by a job (portal.prepared): the job keeps the
    chair's themes, and the file is the chair's own (an organizer's is not found for them)."""
    monkeypatch.setitem(web_app.config, "PORTAL_BACKGROUND_EXPORT_ROWS", 0)
    judges, (a, b, c, d) = build_export_contest(contest, organizer)
    chair = make_chair(contest, "chair@example.org", themes=[contest.themes[4].code])
    auth.login(organizer)
    theirs = download(client, contest, "zip").location
    auth.login(chair)
    response = download(client, contest, "zip")
    assert response.status_code == 302
    assert client.get(response.location, headers=EN).status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{response.location}/download").data))
    assert archive.namelist() == ["ranking.csv", "reviews.csv", "proposals.csv", "awards.csv"]
    proposals = csv.DictReader(io.StringIO(archive.read("proposals.csv").decode("utf-8-sig")))
    assert {row["Reference"] for row in proposals} == {c.reference, d.reference}
    assert client.get(f"{theirs}/download").status_code == 404


def test_an_organizer_invites_a_chair_who_accepts_and_is_then_revoked(client, auth, contest,
                                                                      organizer, outbox):
    auth.login(organizer)
    themes = [contest.themes[0].code, contest.themes[2].code]
    response = client.post(f"/admin/contests/{contest.slug}/chairs", data={
        "email": "partner@example.org", "display_name": "周主任", "organization": "合作基金会",
        "themes": themes})
    assert response.status_code == 302
    (message,) = [m for m in outbox() if m["To"] == "partner@example.org"]
    assert "主题负责人" in str(message["Subject"]) + email_text(message)
    link = link_in(message, "/invitations/")
    client.post("/logout")
    response = client.post(link, data={"display_name": "周主任", "password": PASSWORD,
                                       "confirm": PASSWORD})
    assert response.location.endswith(f"/admin/contests/{contest.slug}/proposals")
    chair = db.session.scalar(db.select(User).filter_by(email="partner@example.org"))
    (grant,) = db.session.scalars(db.select(ContestGrant)).all()
    assert grant.user_id == chair.id and [t.code for t in grant.themes] == themes
    assert set(grant.permissions) == set(Permission.THEME_CHAIR)
    page = client.get(f"/admin/contests/{contest.slug}/proposals").get_data(as_text=True)
    assert f'href="/admin/contests/{contest.slug}/judges"' in page   # their themes' judges
    assert f'href="/admin/contests/{contest.slug}/chairs"' not in page   # not in the menu
    assert client.get(f"/admin/contests/{contest.slug}/chairs").status_code == 403
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/chairs").get_data(as_text=True)
    assert "周主任" in page and "partner@example.org" in page
    client.post(f"/admin/contests/{contest.slug}/chairs/{grant.id}/revoke")
    assert db.session.scalar(db.select(ContestGrant)) is None
    auth.login(chair)
    assert client.get(f"/admin/contests/{contest.slug}/proposals").status_code == 403


def test_the_chair_assigns_judges_to_their_themes_proposals_only(client, auth, contest,
                                                                 organizer, chair):
    own = make_proposal(contest, make_user("own@example.org"), theme_index=0)
    other = make_proposal(contest, make_user("other@example.org"), theme_index=4)
    judge = make_judge(contest, "judge@example.org")
    auth.login(chair)
    response = client.post(f"/admin/proposals/{own.id}", data={"judge_ids": [judge.id]})
    assert response.status_code == 302
    assert client.post(f"/admin/proposals/{other.id}",
                       data={"judge_ids": [judge.id]}).status_code == 404
    assigned = db.session.scalars(db.select(Assignment.proposal_id)).all()
    assert assigned == [own.id]
    # Reassigning their theme's assignment is theirs too (tests/test_chair_pages.py).
    assert "/reassign" in client.get(f"/admin/proposals/{own.id}").get_data(as_text=True)


def test_a_grant_whose_themes_are_gone_covers_nothing(app_context, contest, organizer):
    user = make_user("partner@example.org")
    grant = grant_rights(organizer, contest, user, [Permission.SCREEN], contest.themes[9:])
    db.session.commit()
    grant.themes = []   # as when the theme is removed from the contest (the rows cascade)
    db.session.commit()
    user.__dict__.pop("_portal_grants", None)
    assert policy.theme_scope(user, contest, Permission.SCREEN) == frozenset()
    assert not policy.can_everywhere(user, Permission.SCREEN, contest)
    # A grant made without themes is the whole contest's.
    grant_rights(organizer, contest, user, [Permission.SCREEN])
    assert policy.can_everywhere(user, Permission.SCREEN, contest)


def _rights(contest, email, permissions, scope, themes=()):
    return {"rights-email": email, "rights-permissions": list(permissions),
            "rights-scope": scope, "rights-themes": list(themes)}


def test_an_organizer_grants_rights_over_the_whole_contest_or_some_themes(client, auth, contest,
                                                                          organizer):
    partner = make_user("partner@example.org")
    url = f"/admin/contests/{contest.slug}/chairs/rights"
    auth.login(organizer)
    response = client.post(url, data=_rights(contest, "Partner@example.org",
                                             [Permission.AWARDS, Permission.RANKING], "whole"))
    assert response.status_code == 302
    (grant,) = db.session.scalars(db.select(ContestGrant)).all()
    assert grant.whole_contest and grant.themes == [] and grant.user_id == partner.id
    assert policy.can_everywhere(partner, Permission.AWARDS, contest)
    # The same form narrows it to two themes (the grant is replaced, not added to).
    codes = [contest.themes[1].code, contest.themes[3].code]
    response = client.post(url, data=_rights(contest, partner.email, [Permission.SCREEN],
                                             "themes", codes))
    assert response.status_code == 302
    db.session.expire_all()
    (grant,) = db.session.scalars(db.select(ContestGrant)).all()
    assert not grant.whole_contest and [t.code for t in grant.themes] == codes
    assert grant.permissions == [Permission.SCREEN]
    page = client.get(f"/admin/contests/{contest.slug}/chairs?edit={grant.id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="partner@example.org"' in page and "Screening" in page
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="rights.granted")
                                .order_by(AuditEvent.id)).all()
    assert [e.detail["themes"] for e in events] == [[], codes]
    audit = client.get(f"/admin/contests/{contest.slug}/audit",
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "the rights See the ranking、Propose or allocate awards (themes: all)" in audit
    assert "the rights Screening (themes: Orphan care、" in audit


@pytest.mark.parametrize("data, message", [
    (dict(scope="themes", themes=["space_travel"]),
     "The theme space_travel is not a theme of this contest."),
    (dict(scope="themes", themes=[]), "Choose the themes the rights cover, or the whole contest."),
    (dict(scope="whole", themes=["elderly_care"]),
     "Choose either the whole contest or some of its themes."),
    (dict(scope="whole", email="nobody@example.org"), "No account has this email address"),
    (dict(scope="whole", permissions=[]), "Choose at least one right."),
])
def test_the_rights_form_refuses_with_a_clear_message(client, auth, contest, organizer, data,
                                                      message):
    make_user("partner@example.org")
    another = make_contest(slug="zzcf-2015")
    assert "space_travel" not in {t.code for t in contest.themes + another.themes}
    fields = {"email": "partner@example.org", "permissions": [Permission.SCREEN], **data}
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/chairs/rights",
                           data=_rights(contest, fields["email"], fields["permissions"],
                                        fields["scope"], fields.get("themes", ())),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(ContestGrant)) is None


def test_a_theme_of_another_contest_is_refused_by_name(app_context, contest, organizer):
    user = make_user("partner@example.org")
    another = make_contest(slug="zzcf-2015")
    with pytest.raises(DomainError, match=another.themes[0].code):
        grant_rights(organizer, contest, user, [Permission.SCREEN], another.themes[:1])
