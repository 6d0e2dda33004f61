"""The meeting pack of a round (or of one theme in it, or of the proposals an organizer ticked in
the proposal table): a PDF with every proposal in full and a score sheet for each, and a ZIP of
their attachments named by reference, as judges get them (cleaned, under neutral names, in a
blind contest). Both are prepared by a job when large."""
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from portal import policy
from portal.audit import record
from portal.errors import DomainError
from portal.exports import meeting_pdf
from portal.exports.services import decision_date, find_round
from portal.exports.sheets import code_of, judge_codes, judge_name
from portal.extensions import db
from portal.i18n import current_locale, lazy_gettext as _l
from portal.models import Assignment, Permission, Proposal, ProposalStatus
from portal.prepared.services import builder, request_file
from portal.proposals.attachments import copy_for_blind_judge, neutral_name
from portal.proposals.metadata import CannotClean
from portal.proposals.storage import stored_path
from portal.rules.criteria import kind_of

KINDS = {"pdf": "meeting-pack", "zip": "meeting-attachments"}
MIMETYPES = {"pdf": "application/pdf", "zip": "application/zip"}
# More ticked proposals than this is not a selection made by hand (the table shows 50 a page).
MAX_TICKED = 1000


@dataclass(frozen=True)
class Selection:
    """Which proposals: those assigned in `contest_round`, of `theme` only when one is given;
    or, when `proposal_ids` is given, exactly those (ticked in the proposal table), with the
    judges of `contest_round` (None when the contest has no round yet)."""

    contest_round: object
    theme: object = None
    proposal_ids: tuple = ()

    @property
    def ticked(self):
        return bool(self.proposal_ids)

    def arguments(self):
        arguments = {"round": self.contest_round.code if self.contest_round else None,
                     "theme": self.theme.code if self.theme else None}
        if self.ticked:
            arguments["proposals"] = list(self.proposal_ids)
        return arguments


def selection_of(contest, round_code, theme_code=None):
    """The selection named by codes; DomainError for a round or theme the contest lacks."""
    contest_round = find_round(contest, round_code)
    theme = None
    if theme_code:
        theme = next((t for t in contest.themes if t.code == theme_code), None)
        if theme is None:
            raise DomainError(_l("This contest has no theme %(code)s.", code=theme_code))
    return Selection(contest_round, theme)


def ticked_selection(actor, contest, proposal_ids, round_code=None):
    """The proposals `actor` ticked in the table, exactly. An empty selection is refused with
    a message (DomainError); None when any id is not a submitted proposal of `contest` that
    the actor may export (a theme chair: of their themes), so that the caller answers as for
    a proposal that does not exist, and a tampered id tells nothing. The judges shown are
    those of the round the table was filtered by, else of the current round."""
    ids = tuple(sorted(set(proposal_ids or ())))
    if not ids:
        raise DomainError(_l("Tick the proposals for the meeting pack first."))
    if len(ids) > MAX_TICKED:
        raise DomainError(_l("Tick at most %(count)d proposals for one meeting pack.",
                             count=MAX_TICKED))
    found = set(db.session.scalars(db.select(Proposal.id).where(
        Proposal.id.in_(ids), Proposal.contest_id == contest.id,
        Proposal.status != ProposalStatus.DRAFT,
        *policy.theme_filter(actor, contest, Permission.EXPORT))))
    if found != set(ids):
        return None
    contest_round = next((r for r in contest.rounds if round_code and r.code == round_code),
                         contest.current_round)
    return Selection(contest_round, proposal_ids=ids)


def _selected(contest, selection):
    if selection.ticked:
        return db.select(Proposal.id).where(Proposal.contest_id == contest.id,
                                            Proposal.id.in_(selection.proposal_ids))
    query = db.select(Proposal.id).where(
        Proposal.contest_id == contest.id,
        Proposal.id.in_(db.select(Assignment.proposal_id)
                        .where(Assignment.round_id == selection.contest_round.id)))
    if selection.theme is not None:
        query = query.where(Proposal.theme_id == selection.theme.id)
    return query


def selected_proposals(contest, selection):
    """The selection's proposals by reference, their attachments and budget loaded."""
    return db.session.scalars(
        db.select(Proposal).where(Proposal.id.in_(_selected(contest, selection)))
        .options(selectinload(Proposal.attachments), selectinload(Proposal.budget_lines),
                 selectinload(Proposal.theme), selectinload(Proposal.entrant_type))
        .order_by(Proposal.reference)).all()


def selection_size(contest, selection):
    """How many proposals the selection holds (one count)."""
    if selection.ticked:
        return len(selection.proposal_ids)
    return db.session.scalar(
        db.select(db.func.count()).select_from(_selected(contest, selection).subquery()))


def record_meeting_pack(actor, contest, fmt, selection):
    """Audited like any export: the pack holds the proposals (and, unless blind, identities)."""
    record(actor, "contest.exported", contest=contest, target=contest, format=KINDS[fmt],
           **selection.arguments())


def write_pack(actor, contest, fmt, selection, out):
    """Audit the pack and write it into `out` now; returns its file name."""
    record_meeting_pack(actor, contest, fmt, selection)
    return WRITERS[fmt](contest, selection, out)


def prepare_pack(actor, contest, fmt, selection):
    """Audit the pack now and have a job write it."""
    record_meeting_pack(actor, contest, fmt, selection)
    return request_file(actor, contest, KINDS[fmt], **selection.arguments())


def _judges_by_proposal(contest, selection, blind):
    if selection.contest_round is None:
        return {}
    codes = judge_codes(contest)
    judges = {}
    query = db.select(Assignment).filter_by(round_id=selection.contest_round.id)
    if selection.ticked:
        query = query.where(Assignment.proposal_id.in_(selection.proposal_ids))
    for assignment in db.session.scalars(
            query.options(selectinload(Assignment.judge)).order_by(Assignment.judge_id)):
        code = code_of(codes, assignment.judge_id)
        judges.setdefault(assignment.proposal_id, []).append(
            code if blind else f"{judge_name(assignment.judge)} ({code})")
    return judges


def judge_copy(attachment, blind):
    """(name, bytes) as an assigned judge downloads the file; None when judges cannot have it
    (a blind contest's file that cannot be cleaned)."""
    if not blind:
        return attachment.original_name, stored_path(attachment.stored_name).read_bytes()
    try:
        return str(neutral_name(attachment)), copy_for_blind_judge(attachment)
    except CannotClean:
        return None


def _entry_names(proposal, blind):
    """ZIP entry names: a folder per reference, the file named as the judge gets it (a clash of
    two originals with the same name is told apart by their position)."""
    names, taken = {}, set()
    for position, attachment in enumerate(proposal.attachments, start=1):
        name = str(neutral_name(attachment)) if blind else attachment.original_name
        if name in taken:
            name = f"{position}-{name}"
        taken.add(name)
        names[attachment.id] = f"{proposal.reference}/{name}"
    return names


def _fields(proposal, blind):
    locale = current_locale()
    fields = [(_("Theme"), proposal.theme.localized("name", locale))]
    if not blind:
        if proposal.entrant_type is not None:
            fields.append((_("Entrant type"), proposal.entrant_type.localized("name", locale)))
        fields.append((_("Organization"), proposal.organization))
    fields += [(_("Summary"), proposal.summary), (_("The need it answers"), proposal.need),
               (_("Beneficiaries"), proposal.beneficiaries),
               (_("Number of beneficiaries"), "" if proposal.beneficiary_count is None
                else str(proposal.beneficiary_count)),
               (_("Activities and timeline"), proposal.plan),
               (_("Expected outcomes"), proposal.outcomes),
               (_("What is innovative"), proposal.innovation),
               (_("Sustainability"), proposal.sustainability)]
    if not blind:
        contact = " · ".join(part for part in (proposal.contact_name, proposal.contact_phone,
                                               proposal.contact_email) if part)
        fields += [(_("Team"), proposal.team), (_("Contact for this proposal"), contact)]
    return fields


def write_meeting_pack(contest, selection, out, progress=lambda fraction: None):
    """The pack's PDF into `out`; returns its file name."""
    blind = contest.blind
    locale = current_locale()
    proposals = selected_proposals(contest, selection)
    judges = _judges_by_proposal(contest, selection, blind)
    pack = [meeting_pdf.PackProposal(
        reference=proposal.reference, title=proposal.title, fields=_fields(proposal, blind),
        budget=[(line.item, line.amount, line.note) for line in proposal.budget_lines],
        budget_total=proposal.budget_total,
        attachments=[name.split("/", 1)[1] for name in _entry_names(proposal, blind).values()],
        judges=judges.get(proposal.id, [])) for proposal in proposals]
    criteria = [meeting_pdf.PackCriterion(
        label=c.localized("name", locale), scale=kind_of(c).scale_text(c),
        weight=f"{c.weight:g}", rubric=c.localized("rubric", locale) or "")
        for c in contest.criteria]
    if selection.ticked:
        heading = _("Selected proposals (%(count)d)", count=len(selection.proposal_ids))
    else:
        heading = selection.contest_round.localized("name", locale)
    if selection.theme is not None:
        heading += " · " + selection.theme.localized("name", locale)
    out.write(meeting_pdf.meeting_pack(contest, heading, decision_date(contest), pack, criteria,
                                       blind, progress))
    return _filename(contest, selection, "meeting-pack.pdf")


def write_meeting_attachments(contest, selection, out, progress=lambda fraction: None):
    """Every attachment of the selection once, into a ZIP written to `out`; returns its name."""
    blind = contest.blind
    proposals = selected_proposals(contest, selection)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, proposal in enumerate(proposals, start=1):
            names = _entry_names(proposal, blind)
            for attachment in proposal.attachments:
                copy = judge_copy(attachment, blind)
                if copy is not None:
                    archive.writestr(names[attachment.id], copy[1])
            progress(0.95 * done / max(len(proposals), 1))
    return _filename(contest, selection, "attachments.zip")


def _filename(contest, selection, last):
    if selection.ticked:
        return f"{contest.slug}-selection-{len(selection.proposal_ids)}-{last}"
    theme = f"-{selection.theme.code}" if selection.theme is not None else ""
    return f"{contest.slug}-{selection.contest_round.code}{theme}-{last}"


WRITERS = {"pdf": write_meeting_pack, "zip": write_meeting_attachments}


def _builder(fmt):
    def build(actor, contest, arguments, out, progress):
        if arguments.get("proposals"):
            # Checked again for the job: the actor's themes may have changed since.
            selection = ticked_selection(actor, contest, arguments["proposals"],
                                         arguments.get("round"))
            if selection is None:
                raise DomainError(_l("A selected proposal is no longer available: tick the "
                                     "proposals again."))
        else:
            selection = selection_of(contest, arguments["round"], arguments.get("theme"))
        return WRITERS[fmt](contest, selection, out, progress)
    return build


builder(KINDS["pdf"], _l("Meeting pack (PDF)"))(_builder("pdf"))
builder(KINDS["zip"], _l("Meeting pack attachments (ZIP)"))(_builder("zip"))
