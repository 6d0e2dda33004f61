"""Announcements to a contest's people: write, preview with the number of recipients, send."""
from flask import flash, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.console import announcements as announcing
from portal.console.forms import AnnouncementForm
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.validation import choices
from portal.web import commit_and_redirect, organizer_blueprint, show_domain_error

bp = organizer_blueprint("announcements", __name__, url_prefix="/admin")


@bp.route("/contests/<slug>/announcements", methods=["GET", "POST"])
def index(slug):
    """Write an announcement, preview it with its number of recipients, then send it."""
    contest = contest_by_slug(slug)
    form = AnnouncementForm()
    form.audience.choices = choices(announcing.audience_choices(contest))
    preview = None
    if form.validate_on_submit():
        announcement = announcing.Announcement(contest, form.audience.data, form.subject.data,
                                               form.body.data)
        if form.send.data and announcing.was_previewed(announcement, form.preview_token.data):
            try:
                count = announcing.send_announcement(current_user, announcement)
            except DomainError as error:
                show_domain_error(error, form)
            else:
                return commit_and_redirect(
                    ngettext("The announcement was sent to %(num)d recipient.",
                             "The announcement was sent to %(num)d recipients.", count),
                    "announcements.index", slug=slug)
        elif form.send.data:
            flash(_("The text changed since the preview: check this preview, then send."),
                  "warning")
        preview = announcing.preview_announcement(announcement)
        form.preview_token.data = preview.token
    return render_template("announcements/index.html", contest=contest, form=form,
                           preview=preview, sent=announcing.sent_announcements(contest),
                           audiences={choice.value: choice.label
                                      for choice in form.audience.choices})
