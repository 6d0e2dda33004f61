"""The organizers' award list, allocation, moves, and the publication with its objections."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.awards import publishing, services, theme_proposals
from portal.awards.forms import AllocationForm, AnswerForm, FinalizeForm, MoveAwardForm
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Objection
from portal.web import ConfirmForm, commit_and_redirect, organizer_blueprint, run_button_action, \
    show_domain_error

bp = organizer_blueprint("awards", __name__, url_prefix="/admin/contests/<slug>")


def _tier_counts(awards):
    counts = {}
    for award in awards:
        counts[award.tier_id] = counts.get(award.tier_id, 0) + 1
    return counts


@bp.route("/awards")
def index(slug):
    """The awards with requested budgets and grants, totals against the funding pool."""
    contest = contest_by_slug(slug)
    awards = services.contest_awards(contest)
    publication = services.publication_of(contest)
    return render_template("awards/index.html", contest=contest, awards=awards,
                           totals=services.totals(contest, awards), publication=publication,
                           locked=services.awards_locked(publication),
                           tier_counts=_tier_counts(awards),
                           proposals_waiting=theme_proposals.waiting_count(contest))


def _render_preview(contest, form, status=200):
    try:
        preview = services.preview_allocation(contest)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("awards.index", slug=contest.slug))
    if not form.is_submitted():
        form.digest.data = preview.digest
    return render_template("awards/preview.html", contest=contest, preview=preview, form=form,
                           publication=services.publication_of(contest),
                           has_awards=services.award_count(contest) > 0), status


@bp.route("/awards/preview")
def preview(slug):
    """The allocation the ranking gives, with the boundaries too close to call, before saving."""
    contest = contest_by_slug(slug)
    if services.awards_locked(services.publication_of(contest)):
        return redirect(url_for("awards.index", slug=slug))  # which says they are final
    return _render_preview(contest, AllocationForm(formdata=None))


@bp.route("/awards/allocate", methods=["POST"])
def allocate(slug):
    """Save the previewed allocation, replacing the current awards."""
    contest = contest_by_slug(slug)
    form = AllocationForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.save_allocation(current_user, contest, form.digest.data,
                                 form.confirm_over_pool.data)
    except DomainError as error:
        show_domain_error(error, form)
        if error.field:
            return _render_preview(contest, form, 422)
        return redirect(url_for("awards.preview", slug=slug))
    return commit_and_redirect(_("The awards have been saved."), "awards.index", slug=slug)


@bp.route("/awards/move", methods=["GET", "POST"])
def move(slug):
    """Change a proposal's tier, add or remove an award, with a recorded reason."""
    contest = contest_by_slug(slug)
    if services.awards_locked(services.publication_of(contest)):
        return redirect(url_for("awards.index", slug=slug))  # which says they are final
    form = MoveAwardForm(tiers=contest.award_tiers, locale=current_locale())
    if not form.is_submitted():
        form.reference.data = (request.args.get("reference") or "").strip()[:40]
    proposal = services.proposal_by_reference(contest, form.reference.data)
    award = services.award_of(proposal) if proposal is not None else None
    if not form.is_submitted() and award is not None:
        form.tier.data = str(award.tier_id)
    status = 200
    if form.validate_on_submit():
        try:
            services.move_award(current_user, contest, form.reference.data, form.tier_id(),
                                form.reason.data, form.confirm_over_pool.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The change has been recorded."), "awards.index",
                                       slug=slug)
    if form.is_submitted():
        status = 422
    return render_template("awards/move.html", contest=contest, form=form, proposal=proposal,
                           award=award), status


def _objection(contest, objection_id):
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.contest_id != contest.id:
        abort(404)
    return objection


def _render_publication(contest, answer_forms=None, finalize_form=None, status=200):
    publication = services.publication_of(contest)
    objections = publishing.contest_objections(contest)
    forms = answer_forms or {}
    for objection in objections:
        if objection.answered_at is None and objection.id not in forms:
            forms[objection.id] = AnswerForm(prefix=f"objection-{objection.id}", formdata=None)
    return render_template(
        "awards/publication.html", contest=contest, publication=publication,
        objections=objections, answer_forms=forms,
        unanswered=[o for o in objections if o.answered_at is None],
        finalize_form=finalize_form or FinalizeForm(formdata=None), action_form=ConfirmForm(),
        award_count=services.award_count(contest),
        may_finalize=publishing.may_finalize_now(publication),
        objections_open=publishing.objections_open(publication)), status


@bp.route("/publication")
def publication(slug):
    """Publish the provisional list, answer objections, finalize."""
    return _render_publication(contest_by_slug(slug))


@bp.route("/publication/provisional", methods=["POST"])
def publish(slug):
    """Publish the provisional list and start the objection period."""
    contest = contest_by_slug(slug)
    return run_button_action(lambda: publishing.publish_provisional(current_user, contest),
                             _("The provisional list is published and the applicants have "
                               "been emailed."), "awards.publication", slug=slug)


@bp.route("/objections/<int:objection_id>/answer", methods=["POST"])
def answer(slug, objection_id):
    """Answer an objection; the answer is emailed to the objector."""
    contest = contest_by_slug(slug)
    objection = _objection(contest, objection_id)
    form = AnswerForm(prefix=f"objection-{objection.id}")
    if form.validate_on_submit():
        try:
            publishing.answer_objection(current_user, contest, objection, form.answer.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The answer has been recorded and emailed."),
                                       "awards.publication", slug=slug)
    return _render_publication(contest, answer_forms={objection.id: form}, status=422)


@bp.route("/publication/finalize", methods=["POST"])
def finalize(slug):
    """Make the results final: the awards and every round's scores are locked."""
    contest = contest_by_slug(slug)
    form = FinalizeForm()
    if form.validate_on_submit():
        try:
            publishing.finalize(current_user, contest, form.confirm_unanswered.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The results are final and the applicants have been "
                                         "emailed."), "awards.publication", slug=slug)
    return _render_publication(contest, finalize_form=form, status=422)
