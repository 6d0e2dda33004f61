"""The console's mail page: the outbox by status, bulk sends' progress, resending."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.mail import services
from portal.models import MailStatus, utcnow
from portal.web import ConfirmForm, organizer_blueprint, run_button_action

bp = organizer_blueprint("mail", __name__, url_prefix="/admin/mail")


@bp.route("")
def outbox():
    """Queued, sent and failed messages, newest first; one status at a time."""
    status = request.args.get("status")
    if status not in MailStatus.ALL:
        status = None
    now = utcnow()
    return render_template("mail/outbox.html", status=status, now=now,
                           counts=services.status_counts(),
                           messages=services.messages_with_status(status),
                           bulk_sends=services.recent_bulk_sends(),
                           health=services.queue_health(now), action_form=ConfirmForm())


@bp.route("/<int:message_id>/resend", methods=["POST"])
def resend(message_id):
    """Queue a failed message again."""
    return run_button_action(lambda: services.resend(current_user, message_id, utcnow()),
                             _("The message is queued again."), "mail.outbox",
                             status=MailStatus.FAILED)
