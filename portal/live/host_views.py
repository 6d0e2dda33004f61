"""Pitch day in the organizers' console: set up the live session, and the host's control page."""
from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.live import services
from portal.live.forms import LiveSettingsForm, RemindForm, StepForm, UndoForm
from portal.live.screens import board
from portal.live.views import live_or_404, polled_page, session_pulse
from portal.models import User
from portal.rules.contest import judge_name
from portal.web import ConfirmForm, commit_and_redirect, flash_form_errors, \
    organizer_blueprint, show_domain_error

bp = organizer_blueprint("live_host", __name__)


def _live_round(contest):
    """The round a live final is for: the last one."""
    return contest.rounds[-1] if contest.rounds else None


@bp.route("/admin/contests/<slug>/live", methods=["GET", "POST"])
def setup(slug):
    """Set up the pitch day of the contest's last round: rule, times, screens' links."""
    contest = contest_by_slug(slug)
    contest_round = _live_round(contest)
    live = services.session_for_round(contest_round) if contest_round else None
    form = LiveSettingsForm()
    if live is not None and not form.is_submitted():
        form.rule.data = live.rule
        form.present_minutes.data = live.present_seconds // 60
        form.qa_minutes.data = live.qa_seconds // 60
        form.show_judge_codes.data = live.show_judge_codes
        form.audience_public.data = live.audience_public
    if live is not None and form.validate_on_submit():
        services.save_settings(current_user, live, form.rule.data, form.present_minutes.data,
                               form.qa_minutes.data, form.show_judge_codes.data,
                               form.audience_public.data)
        return commit_and_redirect(_("The pitch-day settings are saved."), "live_host.setup",
                                   slug=slug)
    return render_template("live/setup.html", contest=contest, contest_round=contest_round,
                           live=live, form=form, create_form=ConfirmForm())


@bp.route("/admin/contests/<slug>/live/create", methods=["POST"])
def create(slug):
    """Create the live session, its running order taken from the advancement list."""
    contest = contest_by_slug(slug)
    contest_round = _live_round(contest)
    if contest_round is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for("live_host.setup", slug=slug))
    try:
        services.create_session(current_user, contest, contest_round)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("live_host.setup", slug=slug))
    return commit_and_redirect(_("The pitch day is set up."), "live_host.setup", slug=slug)


@bp.route("/admin/live/<int:live_id>/host")
def host(live_id):
    """The host's control page: resumes the session's exact state on any device."""
    live = live_or_404(live_id)
    return polled_page(live, "host", "live/host.html", session_pulse(live_id=live.id),
                       build=lambda: {
        "board": board(live, with_scores=True), "last_step": services.last_step(live)},
        judge_name=judge_name)


@bp.route("/admin/live/<int:live_id>/step", methods=["POST"])
def step(live_id):
    """One host step (compare-and-set on the version the page showed)."""
    live = live_or_404(live_id)
    form = StepForm()
    if not form.validate_on_submit():
        return redirect(url_for("live_host.host", live_id=live.id))
    try:
        pitch_id = int(form.pitch_id.data) if form.pitch_id.data else None
        services.host_step(current_user, live, form.step.data, int(form.version.data),
                           pitch_id=pitch_id)
    except ValueError:
        db.session.rollback()
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("live_host.host", live_id=live.id))
    return commit_and_redirect(None, "live_host.host", live_id=live.id)


@bp.route("/admin/live/<int:live_id>/undo", methods=["POST"])
def undo(live_id):
    """Undo the last step, with a reason kept in the audit log."""
    live = live_or_404(live_id)
    form = UndoForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("live_host.host", live_id=live.id))
    try:
        services.undo_last(current_user, live, int(form.version.data), form.reason.data)
    except (DomainError, ValueError) as error:
        if isinstance(error, DomainError):
            show_domain_error(error)
        return redirect(url_for("live_host.host", live_id=live.id))
    return commit_and_redirect(_("The last step is undone."), "live_host.host", live_id=live.id)


@bp.route("/admin/live/<int:live_id>/remind", methods=["POST"])
def remind(live_id):
    """Remind a judge, on their phone, to score the pitch on stage."""
    live = live_or_404(live_id)
    form = RemindForm()
    judge = db.session.get(User, int(form.judge_id.data)) \
        if form.validate_on_submit() and form.judge_id.data.isdigit() else None
    if judge is None:
        return redirect(url_for("live_host.host", live_id=live.id))
    try:
        services.remind(current_user, live, judge)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("live_host.host", live_id=live.id))
    return commit_and_redirect(_("%(name)s is reminded on their phone.",
                                 name=judge_name(judge)), "live_host.host", live_id=live.id)
