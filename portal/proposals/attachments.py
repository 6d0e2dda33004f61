"""Attachment verbs: add (checked by content and size), remove, and the name shown to a reader."""
from functools import partial

from flask import current_app

from portal.database import run_after_commit
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import join_list, lazy_gettext as _l
from portal.models import Attachment
from portal.proposals.filetypes import RejectedFile, clean_filename, extension_kind, sniff
from portal.proposals.metadata import blind_copy, withheld_attachments
from portal.proposals.services import require_editable
from portal.proposals.storage import delete_stored, stage_upload, stored_path

REFUSALS = {
    "empty": _l("The file is empty."),
    "size": _l("The file is larger than %(mb)d MB."),
    "type": _l("Only PDF, Word (DOC, DOCX), Excel (XLS, XLSX), JPG and PNG files are accepted, "
               "and the file's content must be what its name says."),
    "archive": _l("The file looks like a damaged or malicious archive and was refused."),
    "mismatch": _l("The file's content does not match its name (for example a Word file named "
                   ".pdf). Save it with the right extension and upload it again."),
}


def _refuse(reason):
    mb = current_app.config["PORTAL_MAX_UPLOAD_MB"]
    return DomainError(REFUSALS[reason] if reason != "size" else _l(
        "The file is larger than %(mb)d MB.", mb=mb), field="file")


def checked_upload(upload):
    """Stage an upload (a werkzeug FileStorage) and check it by size and content: returns the
    staged file and its kind, else raises DomainError (the staged file is discarded). Every
    upload of the portal (proposals, grant reports, agreements) goes through here."""
    max_bytes = current_app.config["PORTAL_MAX_UPLOAD_MB"] * 1024 * 1024
    try:
        staged = stage_upload(upload.stream, max_bytes)
    except RejectedFile as refusal:
        raise _refuse(refusal.reason) from refusal
    try:
        kind = sniff(staged.head, staged.read_all)
        if extension_kind(upload.filename or "") != kind:
            raise RejectedFile("mismatch")
    except RejectedFile as refusal:
        staged.discard()
        raise _refuse(refusal.reason) from refusal
    return staged, kind


def add_attachment(user, proposal, upload):
    """Store an uploaded file (a werkzeug FileStorage) on the proposal, after checking it."""
    require_editable(proposal)
    if len(proposal.attachments) >= current_app.config["MAX_ATTACHMENTS"]:
        raise DomainError(_l("A proposal can have at most %(count)d attachments. Delete one "
                             "first.", count=current_app.config["MAX_ATTACHMENTS"]),
                          field="file")
    staged, kind = checked_upload(upload)
    # A retried upload (a dropped connection, a double click) must not attach the file twice.
    for existing in proposal.attachments:
        if existing.sha256 == staged.sha256:
            staged.discard()
            return existing
    stored_name = staged.commit()
    attachment = Attachment(original_name=clean_filename(upload.filename, kind),
                            stored_name=stored_name, kind=kind, size=staged.size,
                            sha256=staged.sha256)
    proposal.attachments.append(attachment)
    db.session.flush()
    return attachment


def remove_attachment(user, attachment):
    proposal = attachment.proposal
    require_editable(proposal)
    if attachment not in proposal.attachments:
        return  # already removed, from another window at the same moment
    proposal.attachments.remove(attachment)
    db.session.flush()
    run_after_commit(partial(delete_stored, attachment.stored_name))


def neutral_name(attachment):
    """The name a blind judge sees: 'attachment-2.pdf', nothing from the applicant."""
    position = attachment.proposal.attachments.index(attachment) + 1
    return f"{_l('attachment')}-{position}.{attachment.kind}"


def _stored_bytes(attachment):
    return stored_path(attachment.stored_name).read_bytes()


def copy_for_blind_judge(attachment):
    """The file without its author's metadata; raises CannotClean when it cannot be cleaned,
    and then the judge gets nothing (never the original)."""
    return blind_copy(attachment.kind, _stored_bytes(attachment))


def withheld_from_blind_judges(proposal):
    """The proposal's attachments that blind judges cannot get (none outside a blind contest)."""
    if not proposal.contest.blind:
        return []
    return withheld_attachments(proposal.attachments, _stored_bytes)


def correction_reason_for(withheld):
    """The note to the applicant asking for other files, prefilled on the organizer's page."""
    return _l("The judges cannot receive these attachments without their author's name: %(files)s "
              "(the file is damaged, encrypted, or an old DOC or XLS file). Please upload them "
              "again as PDF (not password-protected), DOCX or XLSX, and submit again.",
              files=join_list(attachment.original_name for attachment in withheld))
