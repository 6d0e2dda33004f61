"""Access control, route by route: every rule of `app.url_map` (but `static`) has a row in
MATRIX giving what each role gets, in a world where each role has something to own or not:
an applicant who owns proposal P and one who does not, a judge assigned to P, a judge of the
contest not assigned to it, a judge assigned to P but with a conflict of interest with it,
and an organizer. A route without a row fails `test_every_route_is_in_the_matrix`.

GET is requested for pages; POST with empty data (CSRF is off in the test config) for every
route that takes it. A POST row gives the statuses of the roles it refuses; `OK` marks the
roles it lets in, whose empty form may then get anything but a refusal or an error.
"""
import io
import itertools

import pytest
from flask import url_for
from werkzeug.datastructures import FileStorage
from werkzeug.routing.converters import AnyConverter

from portal.accounts.services import CONFIRM_EMAIL, RESET_PASSWORD, _password_fingerprint
from portal.awards import publishing
from portal.certificates.services import issue_certificates
from portal.extensions import db
from portal.grants import reports as grant_reports
from portal.grants import services as grant_services
from portal.models import Award, AwardProposal, AwardProposalLine, AwardProposalState, \
    Conflict, ConflictKind, ContestGrant, JudgeMembership, LivePitch, \
    LiveSession, OutboxMessage, ReportEvaluation, Round, utcnow
from portal.prepared.services import request_file
from portal.proposals.attachments import add_attachment
from portal.tokens import make_token
from tests.factories import pdf_file, Auth, assign, make_contest, make_chair, make_judge, \
    make_proposal, make_user

PDF = pdf_file()
ROLES = ("anonymous", "owner", "non_owner", "judge_assigned", "judge_unassigned",
         "judge_conflicted", "organizer", "chair_in", "chair_out")
LOGIN = "login"        # 302 to the login page
MOVED = "redirect"     # 302 anywhere else
OK = "ok"              # POST: let in (anything but 5xx, 403, 404 or the login page)


def row(anonymous, owner, non_owner, judge_assigned, judge_unassigned, judge_conflicted,
        organizer, chair_in=None, chair_out=None):
    """Outside the organizer pages a chair is an account like the non-owner, unless told."""
    chair_in = non_owner if chair_in is None else chair_in
    chair_out = non_owner if chair_out is None else chair_out
    return dict(zip(ROLES, (anonymous, owner, non_owner, judge_assigned, judge_unassigned,
                            judge_conflicted, organizer, chair_in, chair_out)))


def everyone(status):
    return row(*[status] * 9)


def signed_in(status, anonymous=LOGIN):
    return row(anonymous, *[status] * 8)


def organizers(status=200, chair_in=403, chair_out=403):
    """An organizer page: the login page for strangers, 403 for other accounts; a theme
    chair's row says what each chair gets (403 unless their grant opens the page)."""
    return row(LOGIN, 403, 403, 403, 403, 403, status, chair_in, chair_out)


def theme_page(status=200, outside=404):
    """An organizer page of one proposal, open to the chair of its theme; the chair of another
    theme gets what a proposal that does not exist gives."""
    return organizers(status, chair_in=status, chair_out=outside)


def theme_list(status=200):
    """An organizer page of a contest's work open to every chair of the contest, showing (or
    acting on) their own themes' proposals only."""
    return organizers(status, chair_in=status, chair_out=status)


# (method, endpoint) -> what each role gets. Parameters come from `world()`.
MATRIX = {
    # Public pages
    ("GET", "contests.index"): everyone(200),
    ("GET", "contests.show"): everyone(200),
    ("GET", "contests.share_card"): everyone(200),
    ("GET", "ops.healthz"): everyone(200),
    ("GET", "accounts.privacy"): everyone(200),
    ("GET", "publication.results"): everyone(200),
    ("GET", "publication.objection"): everyone(200),
    ("POST", "publication.objection"): everyone(422),
    ("GET", "verification.search"): everyone(200),
    ("GET", "verification.certificate"): everyone(200),
    # Accounts
    ("GET", "accounts.login"): row(200, *[MOVED] * 8),
    ("POST", "accounts.login"): row(200, *[MOVED] * 8),
    ("GET", "accounts.register"): row(200, *[MOVED] * 8),
    ("POST", "accounts.register"): row(200, *[MOVED] * 8),
    ("GET", "accounts.request_reset"): everyone(200),
    ("POST", "accounts.request_reset"): everyone(200),
    ("GET", "accounts.reset_password"): everyone(200),
    ("POST", "accounts.reset_password"): everyone(200),
    ("GET", "accounts.confirm_email"): row(LOGIN, *[MOVED] * 8),
    ("POST", "accounts.resend_confirmation"): signed_in(OK),
    ("POST", "accounts.logout"): everyone(MOVED),
    ("POST", "accounts.set_language"): everyone(MOVED),
    ("GET", "accounts.profile"): signed_in(200),
    ("POST", "accounts.profile"): signed_in(OK),
    ("GET", "accounts.account"): signed_in(200),
    ("GET", "accounts.change_password"): signed_in(200),
    ("POST", "accounts.change_password"): signed_in(OK),
    ("GET", "accounts.reauthenticate"): signed_in(200),
    ("POST", "accounts.reauthenticate"): signed_in(OK),
    ("POST", "privacy.download_data"): signed_in(OK),
    ("POST", "privacy.delete_account"): signed_in(OK),
    ("GET", "two_factor.verify"): row(LOGIN, *[MOVED] * 8),
    ("POST", "two_factor.verify"): row(LOGIN, *[MOVED] * 8),
    ("GET", "two_factor.setup"): signed_in(200),
    ("POST", "two_factor.setup"): signed_in(OK),
    ("POST", "two_factor.disable"): signed_in(OK),
    ("POST", "two_factor.new_recovery_codes"): signed_in(OK),
    # Applicants
    ("GET", "proposals.mine"): signed_in(200),
    # A chair of the contest may not apply to it, as its judges may not.
    ("GET", "proposals.new"): row(LOGIN, 200, 200, 403, 403, 403, 403, 403, 403),
    # A post without a session gets the form back with what was typed (401), never a redirect.
    ("POST", "proposals.new"): row(401, OK, OK, 403, 403, 403, 403, 403, 403),
    ("POST", "proposals.autosave_new"): row(401, OK, OK, 403, 403, 403, 403, 403, 403),
    ("GET", "proposals.show"): row(LOGIN, 200, 404, 404, 404, 404, 404),
    ("GET", "proposals.edit"): row(LOGIN, 200, 404, 404, 404, 404, 404),
    ("POST", "proposals.edit"): row(401, OK, 404, 404, 404, 404, 404),
    ("POST", "proposals.autosave"): row(401, OK, 404, 404, 404, 404, 404),
    ("POST", "proposals.submit"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "proposals.withdraw"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "proposals.request_withdrawal"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "proposals.delete"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "proposals.upload"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("GET", "proposals.download"): row(LOGIN, 200, 404, 200, 404, 404, 200, 200, 404),
    ("POST", "proposals.delete_attachment"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    # Judges
    ("GET", "judging.accept_invitation"): everyone(200),
    ("POST", "judging.accept_invitation"): everyone(200),
    ("GET", "judging.index"): row(LOGIN, 403, 403, 200, 200, 200, 403),
    # A report evaluation, before recusing (which closes the project to the judge).
    ("GET", "grants.evaluation"): row(LOGIN, 404, 404, 200, 404, 404, 404),
    ("POST", "grants.evaluation"): row(LOGIN, 404, 404, OK, 404, 404, 404),
    ("GET", "judging.review"): row(LOGIN, 404, 404, 200, 404, 404, 404),
    ("POST", "judging.review"): row(LOGIN, 404, 404, OK, 404, 404, 404),
    ("POST", "judging.recuse"): row(LOGIN, 404, 404, OK, 404, 404, 404),
    ("GET", "judging.declared_conflicts"): row(LOGIN, 403, 403, 200, 200, 200, 403),
    ("POST", "judging.declared_conflicts"): row(LOGIN, 403, 403, OK, OK, OK, 403),
    ("POST", "judging.withdraw_conflict"): row(LOGIN, 403, 403, OK, 404, 404, 403),
    # Organizers
    ("GET", "console.index"): organizers(),
    ("GET", "proposals_admin.proposals"): theme_list(),
    ("GET", "proposals_admin.proposal"): theme_page(),
    ("POST", "proposals_admin.proposal"): theme_page(OK),
    ("GET", "judges.index"): theme_list(),
    ("POST", "judges.index"): theme_list(OK),
    ("POST", "judges.invitation_action"): organizers(OK),
    ("POST", "judges.send_invitations"): organizers(OK),
    ("POST", "judges.judge_activation"): organizers(OK),
    ("GET", "chairs.index"): organizers(),
    ("POST", "chairs.index"): organizers(OK),
    ("POST", "chairs.revoke"): organizers(OK),
    ("POST", "chairs.grant"): organizers(OK),
    ("POST", "judging_admin.toggle_round"): organizers(OK),
    ("GET", "judging_admin.reopen_round"): organizers(),
    ("POST", "judging_admin.reopen_round"): organizers(OK),
    ("GET", "judging_admin.rounds"): theme_list(),
    ("GET", "judging_admin.plan"): theme_list(),
    ("POST", "judging_admin.plan"): theme_list(OK),
    ("GET", "judging_admin.judge_proposals"): theme_list(),
    ("POST", "judging_admin.judge_proposals"): theme_list(OK),
    ("GET", "judging_admin.reassign"): theme_page(),
    ("POST", "judging_admin.reassign"): theme_page(OK),
    ("GET", "judging_admin.conflicts_page"): theme_list(),
    ("POST", "judging_admin.conflicts_page"): theme_list(OK),
    ("GET", "judging_admin.remove_conflict"): theme_list(404),  # no pair named
    ("POST", "judging_admin.remove_conflict"): theme_list(404),  # no pair named
    ("POST", "judging_admin.remind"): organizers(OK),
    ("POST", "screening.decide"): theme_page(OK),
    ("POST", "screening.undo"): theme_page(OK),
    ("POST", "proposals_admin.decide_withdrawal"): theme_page(OK),
    ("POST", "screening.decide_many"): theme_list(OK),
    ("GET", "setup.new"): organizers(),
    ("POST", "setup.new"): organizers(OK),
    ("GET", "setup.settings"): organizers(),
    ("POST", "setup.settings"): organizers(OK),
    ("GET", "setup.parts"): organizers(),
    ("POST", "setup.parts"): organizers(OK),
    ("GET", "setup.copy"): organizers(),
    ("POST", "setup.copy"): organizers(OK),
    ("POST", "setup.archive"): organizers(OK),
    ("GET", "site.settings"): organizers(),
    ("POST", "site.settings"): organizers(OK),
    ("GET", "site.organizers"): organizers(),
    ("POST", "site.organizers"): organizers(OK),
    ("POST", "site.organizer_activation"): organizers(OK),
    ("GET", "site.accounts"): organizers(),
    ("GET", "mail.outbox"): organizers(),
    ("POST", "mail.resend"): organizers(OK),
    ("POST", "site.reset_two_step"): organizers(OK),
    ("GET", "dashboard.overview"): theme_list(),
    ("GET", "announcements.index"): organizers(),
    ("POST", "announcements.index"): organizers(OK),
    ("GET", "audit.contest_audit"): organizers(),
    ("GET", "audit.proposal_audit"): organizers(),
    ("GET", "audit.audit_log"): organizers(),
    ("GET", "mail_templates.index"): organizers(),
    ("GET", "mail_templates.edit"): organizers(),
    ("POST", "mail_templates.edit"): organizers(422),  # no text written
    ("POST", "mail_templates.restore"): organizers(MOVED),
    ("GET", "audit.audit_export"): organizers(),
    ("GET", "results.ranking"): theme_list(),
    ("GET", "results.judge_statistics"): theme_list(),
    ("POST", "results.advance"): organizers(OK),
    ("POST", "results.ranking_settings"): organizers(OK),
    ("GET", "awards.index"): organizers(),
    ("GET", "awards.preview"): organizers(),
    ("POST", "awards.allocate"): organizers(OK),
    ("GET", "awards.move"): organizers(),
    ("POST", "awards.move"): organizers(OK),
    # A chair proposes their theme's winners; an organizer (or a whole-contest grant)
    # confirms or returns the proposal (tests/test_award_proposals.py).
    ("GET", "award_proposals.index"): theme_list(),
    ("GET", "award_proposals.theme"): theme_page(),
    ("POST", "award_proposals.theme"): theme_page(OK),
    ("GET", "award_proposals.review"): organizers(),
    ("POST", "award_proposals.confirm"): organizers(OK),
    ("POST", "award_proposals.send_back"): organizers(OK),
    ("GET", "awards.publication"): organizers(),
    ("POST", "awards.publish"): organizers(OK),
    ("POST", "awards.answer"): organizers(OK),
    ("POST", "awards.finalize"): organizers(OK),
    ("GET", "certificates.index"): organizers(),
    ("POST", "certificates.upload_seal"): organizers(OK),
    ("POST", "certificates.remove_seal"): organizers(OK),
    ("GET", "certificates.seal_image"): organizers(404),  # no seal uploaded
    ("POST", "certificates.issue_for_members"): organizers(OK),
    ("POST", "certificates.revoke"): organizers(OK),
    ("GET", "certificates.single"): organizers(),
    ("GET", "exports.index"): theme_list(),
    ("GET", "exports.download"): theme_list(400),  # no format chosen
    ("GET", "exports.meeting_pack"): organizers(400),  # no format chosen
    ("POST", "exports.meeting_pack_selection"): theme_list(OK),  # nothing ticked: sent back
    ("GET", "exports.award_list"): theme_list(),
    ("GET", "certificates.print_all"): theme_list(),
    ("GET", "exports.poster"): organizers(),
    ("GET", "exports.score_template"): theme_list(),
    ("GET", "exports.score_import"): theme_list(),
    ("POST", "exports.score_import"): theme_list(OK),
    # Grants: the grantee (the owner) sees only their own; organizers read every one and act
    # from the console.
    ("GET", "grants.mine"): signed_in(200),
    ("GET", "grants.show"): row(LOGIN, 200, 404, 404, 404, 404, 200),
    ("GET", "grants.report"): row(LOGIN, 200, 404, 404, 404, 404, 200),
    ("GET", "grants.report_file"): row(LOGIN, 200, 404, 404, 404, 404, 200),
    ("GET", "grants.report_pdf"): row(LOGIN, 200, 404, 404, 404, 404, 200),
    ("GET", "grants.agreement"): row(LOGIN, 200, 404, 404, 404, 404, 200),
    ("POST", "grants.report"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "grants.report_upload"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "grants.consent"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "grants.milestones"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "grants.milestone_reached"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("POST", "grants.request_change"): row(LOGIN, OK, 404, 404, 404, 404, 404),
    ("GET", "grants.evaluations"): signed_in(200),
    ("POST", "grants_admin.request_evaluation"): organizers(OK),
    ("GET", "grants_admin.dashboard"): organizers(),
    ("GET", "grants_admin.manage"): organizers(),
    ("GET", "grants_admin.ledger"): organizers(),
    ("POST", "grants_admin.manage"): organizers(OK),
    ("POST", "grants_admin.create"): organizers(OK),
    ("POST", "grants_admin.upload_agreement"): organizers(OK),
    ("POST", "grants_admin.monthly_reports"): organizers(OK),
    ("POST", "grants_admin.approve_milestones"): organizers(OK),
    ("POST", "grants_admin.review"): organizers(OK),
    ("POST", "grants_admin.decide_change"): organizers(OK),
    ("POST", "grants_admin.release"): organizers(OK),
    # Public progress needs final results and the grantee's consent: neither in this world
    # (tests/grants/test_grant_pages.py shows the page once both hold).
    ("GET", "grants_public.progress"): everyone(404),
    ("GET", "grants_public.photo"): everyone(404),
    # A prepared file: only the account who asked for it (a colleague, or a theme chair who
    # may export, gets 404, see tests/test_prepared_files.py and tests/test_chairs.py).
    ("GET", "prepared.show"): organizers(chair_in=404, chair_out=404),
    ("GET", "prepared.progress"): organizers(chair_in=404, chair_out=404),
    ("GET", "prepared.download"): organizers(chair_in=404, chair_out=404),
    # Pitch day: the big screen opens with its secret link, the audience page only when the
    # organizers open it (closed here), the judges' page for the contest's judges.
    ("GET", "live.screen"): everyone(200),
    ("GET", "live.audience"): everyone(404),
    ("GET", "live.judge"): row(LOGIN, 403, 403, 200, 200, 200, 403),
    ("POST", "live.score"): row(LOGIN, 403, 403, OK, OK, OK, 403),
    ("GET", "live_host.setup"): organizers(),
    ("POST", "live_host.setup"): organizers(OK),
    ("POST", "live_host.create"): organizers(OK),
    ("GET", "live_host.host"): organizers(),
    ("POST", "live_host.step"): organizers(OK),
    ("POST", "live_host.undo"): organizers(OK),
    ("POST", "live_host.remind"): organizers(OK),
}


def world_values():
    """The contest and its people; returns (URL parameter values, {role: user or None})."""
    contest = make_contest()
    owner = make_user("owner@example.org", name="申报人甲")
    non_owner = make_user("other@example.org", name="申报人乙", organization="另一个协会")
    organizer = make_user("organizer@example.org", organizer=True)
    colleague = make_user("colleague@example.org", organizer=True)
    proposal = make_proposal(contest, owner, title="甲的项目")
    other_proposal = make_proposal(contest, non_owner, title="乙的项目", theme_index=1)
    attachment = add_attachment(owner, proposal, FileStorage(io.BytesIO(PDF), "计划书.pdf"))
    judge_assigned = make_judge(contest, "assigned@example.org", name="评委甲")
    judge_unassigned = make_judge(contest, "unassigned@example.org", name="评委乙")
    judge_conflicted = make_judge(contest, "conflicted@example.org", name="评委丙")
    (assignment,) = assign(proposal, judge_assigned)
    assign(proposal, judge_conflicted)
    assign(other_proposal, judge_assigned)
    # Recorded directly, so that the conflicted judge's assignment stays (as it would when a
    # conflict comes to light after assignment, e.g. through an automatic rule).
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge_conflicted.id,
                            proposal_id=proposal.id, kind=ConflictKind.DECLARED_PROPOSAL,
                            reason="亲属关系"))
    declared = Conflict(contest_id=contest.id, judge_id=judge_assigned.id,
                        organization="某基金会", kind=ConflictKind.DECLARED_ORGANIZATION)
    db.session.add(declared)
    chair_in = make_chair(contest, "chair-in@example.org", themes=[contest.themes[0].code])
    chair_out = make_chair(contest, "chair-out@example.org", themes=[contest.themes[1].code])
    from portal.judging.services import invite_judge
    invitation, invitation_token = invite_judge(None, contest, "pending@example.org")
    db.session.add(Award(contest_id=contest.id, proposal_id=other_proposal.id,
                         tier_id=contest.award_tiers[0].id))
    db.session.flush()
    # The chair of the second theme's proposal, waiting for an organizer.
    award_proposal = AwardProposal(
        contest_id=contest.id, theme_id=contest.themes[1].id, state=AwardProposalState.SUBMITTED,
        created_by_id=chair_out.id, submitted_by_id=chair_out.id, submitted_at=utcnow(),
        lines=[AwardProposalLine(proposal_id=other_proposal.id,
                                 tier_id=contest.award_tiers[0].id)])
    db.session.add(award_proposal)
    (certificate,) = issue_certificates(organizer, contest)
    prepared = request_file(organizer, contest, "csv", round=contest.rounds[0].code,
                            judge_names=False, comments=False)   # built after the commit
    publishing.publish_provisional(organizer, contest)
    objection = publishing.file_objection(contest, "观众", "watcher@example.org", "有异议")
    grant = _grant_world(organizer, owner, judge_assigned, contest, proposal)
    final = Round(contest=contest, position=2, code="final", name_zh="终审")
    live = LiveSession(contest=contest, round=final, screen_token="matrix-screen-token",
                       pitches=[LivePitch(proposal=proposal, position=1, reminded=[])])
    db.session.add(live)
    db.session.commit()
    values = {
        "slug": contest.slug, "proposal_id": proposal.id, "attachment_id": attachment.id,
        "assignment_id": assignment.id, "round_id": contest.rounds[0].id,
        "membership_id": db.session.scalar(db.select(JudgeMembership.id).filter_by(
            user_id=judge_assigned.id)),
        # A chair's contest grant: its parameter shares its name with the grants' (money).
        "chairs.revoke:grant_id": db.session.scalar(db.select(ContestGrant.id).filter_by(
            user_id=chair_out.id)),
        "conflict_id": declared.id, "invitation_id": invitation.id, "user_id": colleague.id,
        "objection_id": objection.id,
        "grant_id": grant.id, "report_id": grant.reports[0].id,
        "file_id": grant.reports[0].attachments[0].id, "milestone_id": grant.milestones[0].id,
        "tranche_id": grant.tranches[0].id, "change_id": grant.changes[0].id,
        "evaluation_id": grant.reports[0].evaluations[0].id,
        "live_id": live.id,
        "theme_code": contest.themes[0].code, "award_proposal_id": award_proposal.id,
        "live.screen:token": live.screen_token,
        "certificate_id": certificate.id, "number": certificate.number,
        # The prepared file's parameter shares its name with the grant report file's.
        **{f"prepared.{view}:file_id": prepared.id for view in ("show", "progress", "download")},
        "kind": "proposal_submitted",
        "message_id": db.session.scalar(db.select(OutboxMessage.id).order_by(OutboxMessage.id)),
        # Each token-taking page gets a working token: what the token opens is what is tested.
        "accounts.confirm_email:token": make_token(CONFIRM_EMAIL, {
            "user": non_owner.id, "email": non_owner.email}),
        "accounts.reset_password:token": make_token(RESET_PASSWORD, {
            "user": non_owner.id, "pw": _password_fingerprint(non_owner)}),
        "judging.accept_invitation:token": invitation_token,
    }
    users = {"anonymous": None, "owner": owner, "non_owner": non_owner,
             "judge_assigned": judge_assigned, "judge_unassigned": judge_unassigned,
             "judge_conflicted": judge_conflicted, "organizer": organizer,
             "chair_in": chair_in, "chair_out": chair_out}
    return values, users


def _grant_world(organizer, owner, judge_assigned, contest, proposal):
    """The owner's proposal awarded with a grant: its agreement on file, a receipt attached
    to its mid-term report, a budget change waiting for approval."""
    award = Award(contest_id=contest.id, proposal_id=proposal.id,
                  tier_id=contest.award_tiers[0].id)
    db.session.add(award)
    db.session.flush()
    grant = grant_services.create_grant(organizer, award, grant_services.beijing_today())
    grant_services.attach_agreement(organizer, grant, FileStorage(io.BytesIO(PDF), "协议.pdf"))
    grant_reports.add_report_attachment(owner, grant.reports[0],
                                        FileStorage(io.BytesIO(PDF), "发票.pdf"))
    grant_reports.request_change(owner, grant, grant.lines[0].id, grant.lines[1].id,
                                 grant.lines[0].planned_fen // 2, "调整")
    grant.reports[0].evaluations.append(ReportEvaluation(judge_id=judge_assigned.id))
    return grant


def urls_for(app, method, endpoint, values):
    """The URLs of the rule: one per choice of its `any(...)` parts for GET, the first for
    POST (which may change things)."""
    (rule,) = [r for r in app.url_map.iter_rules()
               if r.endpoint == endpoint and method in r.methods]
    options = []
    for name in sorted(rule.arguments):
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            items = sorted(converter.items)
            options.append([(name, item) for item in (items if method == "GET" else items[:1])])
        else:
            options.append([(name, values.get(f"{endpoint}:{name}", values.get(name)))])
    with app.test_request_context():
        return [url_for(endpoint, **dict(combination))
                for combination in itertools.product(*options)]


def outcome(response):
    if response.status_code == 302:
        return LOGIN if response.location.split("?")[0] == "/login" else MOVED
    return response.status_code


def check(response, expected):
    got = outcome(response)
    if expected == OK:
        return got not in (LOGIN, 403, 404) and response.status_code < 500
    return got == expected


def route_keys(app):
    keys = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                keys.add((method, rule.endpoint))
    return keys


def test_every_route_is_in_the_matrix(web_app):
    missing = sorted(route_keys(web_app) - set(MATRIX))
    assert not missing, f"add these routes to MATRIX with each role's expected status: {missing}"
    stale = sorted(set(MATRIX) - route_keys(web_app))
    assert not stale, f"these MATRIX rows name no route any more: {stale}"


def test_every_row_names_every_role():
    assert all(set(expected) == set(ROLES) for expected in MATRIX.values())


def _log_in(client, user):
    client.post("/logout")
    if user is not None:
        response = Auth(client).login(user)
        assert response.status_code == 302, f"{user.email} could not log in"


def _run(web_app, role, method, keys):
    """Request every key's URLs as `role`; returns the mismatches."""
    client = web_app.test_client()
    values, users = world_values()
    mismatches = []
    _log_in(client, users[role])
    for key in keys:  # in MATRIX order: destructive actions come after the others
        expected = MATRIX[key][role]
        for url in urls_for(web_app, method, key[1], values):
            if method == "POST":
                _log_in(client, users[role])  # an earlier POST may have logged out
                response = client.post(url, data={})
            else:
                response = client.get(url)
            if not check(response, expected):
                mismatches.append((key[1], url, expected, outcome(response)))
    return mismatches


@pytest.mark.parametrize("role", ROLES)
def test_pages(web_app, app_context, role):
    keys = [key for key in MATRIX if key[0] == "GET"]
    mismatches = _run(web_app, role, "GET", keys)
    assert not mismatches, "\n".join(f"{e} GET {u}: expected {x}, got {g}"
                                     for e, u, x, g in mismatches)


@pytest.mark.parametrize("role", ROLES)
def test_posts(web_app, app_context, role):
    keys = [key for key in MATRIX if key[0] == "POST"]
    mismatches = _run(web_app, role, "POST", keys)
    assert not mismatches, "\n".join(f"{e} POST {u}: expected {x}, got {g}"
                                     for e, u, x, g in mismatches)
