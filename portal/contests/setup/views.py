"""Contest setup for organizers: settings, parts, copies for next year, archiving."""
from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user

from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.contests.setup import services
from portal.contests.setup.forms import PART_TITLES, ContestForm, CopyContestForm, parts_form
from portal.web import commit_and_redirect, organizer_blueprint, run_button_action, \
    show_domain_error

bp = organizer_blueprint("setup", __name__, url_prefix="/admin/contests")



def _contest_data(form):
    return {field: form[field].data for field in services.CONTEST_FIELDS} | {
        "slug": form.slug.data}


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a contest (its themes, criteria and rounds are added next)."""
    form = ContestForm()
    if form.validate_on_submit():
        try:
            contest = services.save_contest(current_user, None, _contest_data(form))
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The contest has been created. Now add its themes, "
                                         "entrant types, criteria and rounds."),
                                       "setup.parts", slug=contest.slug, relation="themes")
    return render_template("setup/contest.html", form=form, contest=None)


@bp.route("/<slug>/settings", methods=["GET", "POST"])
def settings(slug):
    """A contest's settings, with a check that nobody saved in between."""
    contest = contest_by_slug(slug)
    form = ContestForm(data=services.contest_form_data(contest))
    form.slug.render_kw = {"readonly": True}
    form.slug.data = contest.slug  # the address never changes
    if form.validate_on_submit():
        try:
            services.save_contest(current_user, contest, _contest_data(form),
                                  form.settings_version.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The contest has been saved."), "setup.settings",
                                       slug=slug)
    return render_template("setup/contest.html", form=form, contest=contest)


@bp.route("/<slug>/parts/<any(themes, entrant_types, criteria, rounds, award_tiers):relation>",
          methods=["GET", "POST"])
def parts(slug, relation):
    """Edit one list of the contest's parts; parts in use cannot be removed."""
    contest = contest_by_slug(slug)
    form = parts_form(relation, services.part_rows(contest, relation))
    if not form.is_submitted():
        form.settings_version.data = contest.settings_version
    if form.validate_on_submit():
        rows = [entry.form.data for entry in form.items
                if not entry.form.is_blank and not entry.form.remove.data]
        try:
            services.save_parts(current_user, contest, relation, rows,
                                form.settings_version.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("Saved."), "setup.parts", slug=slug, relation=relation)
    return render_template("setup/parts.html", form=form, contest=contest, relation=relation,
                           titles=PART_TITLES)


@bp.route("/<slug>/copy", methods=["GET", "POST"])
def copy(slug):
    """Start next year's edition from this one."""
    source = contest_by_slug(slug)
    form = CopyContestForm()
    if form.validate_on_submit():
        try:
            created = services.copy_contest(current_user, source, form.slug.data,
                                            form.name_zh.data, form.name_en.data,
                                            invite_judges=form.invite_judges.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The copy has been created. Check its dates."),
                                       "setup.settings", slug=created.slug)
    return render_template("setup/copy.html", form=form, contest=source)


@bp.route("/<slug>/<any(archive, unarchive):action>", methods=["POST"])
def archive(slug, action):
    """Archive a contest (it leaves the list of open contests) or bring it back."""
    contest = contest_by_slug(slug)
    message = _("The contest is archived.") if action == "archive" else \
        _("The contest is no longer archived.")
    return run_button_action(
        lambda: services.set_archived(current_user, contest, action == "archive"), message,
        "console.index")
