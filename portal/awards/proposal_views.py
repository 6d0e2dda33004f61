"""A theme chair's awards proposal for their theme, and the organizers' decision on it."""
from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from portal import policy
from portal.awards import services, theme_proposals
from portal.awards.forms import ConfirmThemeProposalForm, ReturnThemeProposalForm, \
    theme_proposal_form
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import AwardProposal, AwardProposalState, Permission, Theme
from portal.web import commit_and_redirect, organizer_blueprint, show_domain_error

bp = organizer_blueprint("award_proposals", __name__, url_prefix="/admin/contests/<slug>")


@bp.route("/award-proposals")
def index(slug):
    """The themes' awards proposals the account may see: a chair's own themes, or every
    theme for the organizers, submitted ones first."""
    contest = contest_by_slug(slug)
    scope = policy.theme_scope(current_user, contest, Permission.AWARDS)
    themes = [theme for theme in contest.themes if scope is None or theme.id in scope]
    return render_template(
        "awards/proposals.html", contest=contest, themes=themes,
        proposals=theme_proposals.contest_proposals(contest, scope),
        may_decide=policy.can_everywhere(current_user, Permission.AWARDS, contest),
        published=services.publication_of(contest) is not None)


def _theme(contest, theme_code):
    theme = db.session.scalar(db.select(Theme).filter_by(contest_id=contest.id,
                                                         code=theme_code))
    if theme is None:
        abort(404)
    return theme


@bp.route("/award-proposals/themes/<theme_code>", methods=["GET", "POST"])
def theme(slug, theme_code):
    """The chair's proposal of the theme's winners, from the theme's ranking: write, save,
    submit; its state and the organizers' reasons."""
    contest = contest_by_slug(slug)
    theme = _theme(contest, theme_code)
    award_proposal = theme_proposals.latest(contest, theme)
    published = services.publication_of(contest) is not None
    try:
        ranking = theme_proposals.theme_ranking(contest, theme)
    except DomainError as error:
        return render_template("awards/theme_proposal.html", contest=contest, theme=theme,
                               award_proposal=award_proposal, ranking=None, form=None,
                               unavailable=error.message, published=published)
    editable = not published and (award_proposal is None
                                  or award_proposal.state != AwardProposalState.SUBMITTED)
    chosen = ranking.suggestion()
    if award_proposal is not None and award_proposal.state in AwardProposalState.OPEN:
        tiers = {tier.id: tier for tier in contest.award_tiers}
        chosen = {line.proposal_id: tiers.get(line.tier_id) for line in award_proposal.lines}
    eligible = [c for c in ranking.candidates if c.eligible]
    form = theme_proposal_form(eligible, contest.award_tiers, current_locale(), chosen,
                               note=award_proposal.note if award_proposal is not None
                               and award_proposal.state in AwardProposalState.OPEN else None)
    status = 200
    if form.validate_on_submit():
        submit = bool(form.submit_proposal.data)
        try:
            theme_proposals.save(current_user, contest, theme,
                                 form.choices_made([c.proposal.id for c in eligible]),
                                 form.note.data, submit=submit)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(
                _("The proposal has been submitted; the organizers have been emailed.")
                if submit else _("The draft has been saved."),
                "award_proposals.theme", slug=slug, theme_code=theme.code)
    if form.is_submitted():
        status = 422
    return render_template("awards/theme_proposal.html", contest=contest, theme=theme,
                           award_proposal=award_proposal, ranking=ranking, form=form,
                           editable=editable, unavailable=None, published=published), status


def _award_proposal(contest, award_proposal_id):
    found = db.session.get(AwardProposal, award_proposal_id)
    if found is None or found.contest_id != contest.id:
        abort(404)
    return found


def _render_review(contest, award_proposal, confirm_form=None, return_form=None, status=200):
    try:
        ranking = theme_proposals.theme_ranking(contest, award_proposal.theme)
    except DomainError as error:
        ranking, unavailable = None, error.message
    else:
        unavailable = None
    proposed = {line.proposal_id: line.tier for line in award_proposal.lines}
    return render_template(
        "awards/review_theme_proposal.html", contest=contest, award_proposal=award_proposal,
        ranking=ranking, unavailable=unavailable, proposed=proposed,
        awards={award.proposal_id: award for award in services.contest_awards(contest)},
        own=current_user.id in award_proposal.authors,
        confirm_form=confirm_form or ConfirmThemeProposalForm(formdata=None),
        return_form=return_form or ReturnThemeProposalForm(formdata=None)), status


@bp.route("/award-proposals/<int:award_proposal_id>")
def review(slug, award_proposal_id):
    """A submitted proposal beside the theme's ranking and its current awards: confirm it or
    return it with reasons."""
    contest = contest_by_slug(slug)
    return _render_review(contest, _award_proposal(contest, award_proposal_id))


def _decide(slug, award_proposal_id, form, decide, message, endpoint):
    """Post a decision form: on success commit and go to `endpoint`; else show the review page
    with the form's errors."""
    contest = contest_by_slug(slug)
    award_proposal = _award_proposal(contest, award_proposal_id)
    if form.validate_on_submit():
        try:
            decide(award_proposal)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(message, endpoint, slug=slug)
    forms = {"confirm_form" if isinstance(form, ConfirmThemeProposalForm) else "return_form": form}
    return _render_review(contest, db.session.get(AwardProposal, award_proposal_id), status=422,
                          **forms)


@bp.route("/award-proposals/<int:award_proposal_id>/confirm", methods=["POST"])
def confirm(slug, award_proposal_id):
    """Give the proposed awards, as an allocation from the ranking gives its own."""
    form = ConfirmThemeProposalForm()
    return _decide(slug, award_proposal_id, form, lambda award_proposal: theme_proposals.confirm(
        current_user, award_proposal, form.confirm_over_pool.data),
        _("The proposal is confirmed and the awards are given."), "awards.index")


@bp.route("/award-proposals/<int:award_proposal_id>/return", methods=["POST"])
def send_back(slug, award_proposal_id):
    """Return the proposal to its chair with reasons."""
    form = ReturnThemeProposalForm()
    return _decide(slug, award_proposal_id, form, lambda award_proposal: theme_proposals.send_back(
        current_user, award_proposal, form.reason.data),
        _("The proposal has been returned to the chair."), "award_proposals.index")
