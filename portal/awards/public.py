"""Public pages: a contest's published results and the objection form; applicants' feedback."""
from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from portal.awards import publishing
from portal.awards.forms import ObjectionForm
from portal.awards.services import publication_of
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import limiter
from portal.grants.public import progress_links
from portal.i18n import current_locale
from portal.web import commit_and_redirect, show_domain_error

bp = Blueprint("publication", __name__)
# Objections need no account: a limit per address keeps a script from flooding the organizers.
OBJECTION_LIMIT_PER_IP = "5 per minute; 30 per hour"


def _published(slug):
    """The contest and its publication; 404 until the results are published."""
    contest = contest_by_slug(slug)
    publication = publication_of(contest)
    if publication is None:
        abort(404)
    return contest, publication


@bp.route("/contests/<slug>/results")
def results(slug):
    """The winners by tier and by theme, provisional or final, as published."""
    contest, publication = _published(slug)
    return render_template("awards/results.html", contest=contest, publication=publication,
                           view=publishing.results_view(publication.snapshot or {}),
                           objections_open=publishing.objections_open(publication),
                           progress=progress_links(contest))


@bp.route("/contests/<slug>/objection", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("OBJECTION_LIMIT_PER_IP", OBJECTION_LIMIT_PER_IP),
               methods=["POST"])
def objection(slug):
    """File an objection (异议) during the objection period; no account needed."""
    contest, publication = _published(slug)
    is_open = publishing.objections_open(publication)
    form = ObjectionForm()
    if is_open and form.validate_on_submit():
        try:
            publishing.file_objection(contest, form.name.data, form.contact_email.data,
                                      form.text.data, form.reference.data,
                                      locale=current_locale())
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("Your objection has been received. The organizers "
                                         "will answer you by email."), "publication.results",
                                       slug=slug)
    status = (422 if is_open else 409) if form.is_submitted() else 200
    return render_template("awards/objection.html", contest=contest, publication=publication,
                           form=form, is_open=is_open), status


@bp.app_template_global("applicant_feedback")
def applicant_feedback(proposal):
    """For templates: the judges' feedback the signed-in owner of `proposal` may read."""
    return publishing.applicant_feedback(current_user, proposal)
