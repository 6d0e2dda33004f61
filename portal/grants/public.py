"""Public progress of a funded project, with its grantee's consent: milestones reached,
beneficiaries, a spending summary and photos, linked from the public results page."""
from flask import Blueprint, abort, render_template, send_file

from portal.rules.contest import publication_of
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.grants.followup import grant_figures
from portal.models import Grant, Proposal, PublicationStage, ReportAttachment, \
    ReportStatus
from portal.proposals.filetypes import ALLOWED as FILETYPE_MIME
from portal.proposals.storage import stored_path

bp = Blueprint("grants_public", __name__)
PHOTO_KINDS = ("jpg", "png")


def _is_final(contest):
    publication = publication_of(contest)
    return publication is not None and publication.stage == PublicationStage.FINAL


def progress_links(contest):
    """proposal reference -> grant id, for the projects whose grantees agreed to show their
    progress (none before the results are final). One query."""
    if not _is_final(contest):
        return {}
    return dict(db.session.execute(
        db.select(Proposal.reference, Grant.id).join(Grant, Grant.proposal_id == Proposal.id)
        .filter(Grant.contest_id == contest.id, Grant.public_progress.is_(True))).all())


def public_photos(grant):
    """Photos (JPG, PNG) of the grant's accepted reports: what the grantee chose to report."""
    return [attachment for report in grant.reports if report.status == ReportStatus.ACCEPTED
            for attachment in report.attachments if attachment.kind in PHOTO_KINDS]


def _public_grant(contest, grant_id):
    grant = db.session.get(Grant, grant_id)
    if grant is None or grant.contest_id != contest.id or not grant.public_progress \
            or not _is_final(contest):
        abort(404)
    return grant


@bp.route("/contests/<slug>/progress/<int:grant_id>")
def progress(slug, grant_id):
    """A funded project's progress, as its grantee agreed to show it."""
    contest = contest_by_slug(slug)
    grant = _public_grant(contest, grant_id)
    return render_template("grants/progress.html", contest=contest, grant=grant,
                           figures=grant_figures(grant), photos=public_photos(grant))


@bp.route("/contests/<slug>/progress/photos/<int:file_id>")
def photo(slug, file_id):
    """A photo of a public project's accepted report."""
    contest = contest_by_slug(slug)
    attachment = db.session.get(ReportAttachment, file_id)
    if attachment is None:
        abort(404)
    grant = _public_grant(contest, attachment.report.grant_id)
    if attachment not in public_photos(grant):
        abort(404)
    return send_file(stored_path(attachment.stored_name), mimetype=FILETYPE_MIME[attachment.kind],
                     max_age=0)
