"""Export verbs shared by the download buttons and `flask export`: they write into a binary file."""
from dataclasses import dataclass


from portal.audit import record
from portal.certificates.seal import seal_path
from portal.certificates.services import holder_name, issue_certificates
from portal.errors import DomainError
from portal.exports import pdf
from portal.exports.formats import XLSX_MIMETYPE, write_csv, write_xlsx, write_zip
from portal.exports.sheets import ExportOptions, contest_awards
from portal.exports.workbook import SHEET_KEYS, contest_sheets
from portal.extensions import db
from portal.i18n import current_locale, lazy_gettext as _l
from portal.models import Publication, utcnow
from portal.results.ranking import round_ranking
from portal.timezones import SHANGHAI
from portal.web import printed_url


@dataclass(frozen=True)
class ExportFormat:
    mimetype: str
    extension: str
    sheets: tuple
    name: str          # the file name's last part


FORMATS = {
    "csv": ExportFormat("text/csv", "csv", ("ranking",), "ranking"),
    "xlsx": ExportFormat(XLSX_MIMETYPE, "xlsx", SHEET_KEYS, "export"),
    "zip": ExportFormat("application/zip", "zip", SHEET_KEYS, "export"),
}
PDF_MIMETYPE = "application/pdf"
PRINTS = ("award-list", "certificates")


def find_round(contest, code=None):
    """The contest's round with this code; the current round without one; else DomainError."""
    if not code:
        if contest.current_round is None:
            raise DomainError(_l("This contest has no judging round yet."))
        return contest.current_round
    for contest_round in contest.rounds:
        if contest_round.code == code:
            return contest_round
    raise DomainError(_l("This contest has no round %(code)s.", code=code))


def export_filename(contest, fmt, contest_round):
    spec = FORMATS[fmt]
    return f"{contest.slug}-{contest_round.code}-{spec.name}.{spec.extension}"


def write_export(actor, contest, fmt, options, out):
    """Write the export to the binary file `out` and audit it: `csv` is the ranking alone,
    `xlsx` a workbook and `zip` one CSV per sheet (ranking, reviews, proposals, judges, awards)."""
    if fmt not in FORMATS:
        raise DomainError(_l("Choose CSV, XLSX or ZIP."))
    ranked = round_ranking(contest, options.contest_round)
    sheets = contest_sheets(contest, options, ranked, FORMATS[fmt].sheets)
    if fmt == "csv":
        write_csv(sheets[0], out)
    elif fmt == "xlsx":
        write_xlsx(sheets, out)
    else:
        write_zip(sheets, out)
    # Exports hold personal data (PIPL): who took which, and with which identities.
    record(actor, "contest.exported", contest=contest, target=contest, format=fmt,
           round=options.contest_round.code, judge_names=options.judge_names,
           comments=options.comments)
    return export_filename(contest, fmt, options.contest_round)


def decision_date(contest):
    """The date printed on the award list and certificates: when the results were finalized,
    else when they were published, else today (Beijing time)."""
    publication = db.session.scalar(db.select(Publication).filter_by(contest_id=contest.id))
    moment = None
    if publication is not None:
        moment = publication.finalized_at or publication.published_at
    return (moment or utcnow()).astimezone(SHANGHAI).date()


def write_award_list(contest, out):
    """The printable award list (A4 PDF) into `out`; returns its file name."""
    out.write(pdf.award_list(contest, contest_awards(contest), decision_date(contest)))
    return f"{contest.slug}-award-list.pdf"


def write_certificates(actor, contest, out, certificates=None):
    """Numbered certificates (A4 landscape PDF) into `out`: `certificates`, else one per winner
    and per named team member, numbers given to the winners that had none; returns its name."""
    if certificates is None:
        certificates = issue_certificates(actor, contest)
    seal = seal_path(contest)
    out.write(pdf.certificates(contest, [certificate_page(c) for c in certificates],
                               decision_date(contest), seal if seal.is_file() else None))
    if len(certificates) == 1:
        return f"{contest.slug}-certificate-{certificates[0].number}.pdf"
    return f"{contest.slug}-certificates.pdf"


def certificate_page(certificate):
    locale = current_locale()
    return pdf.CertificatePage(
        number=certificate.number, holder=holder_name(certificate),
        is_team_member=certificate.holder is not None, title=certificate.proposal.title,
        tier_name=certificate.tier.localized("name", locale),
        verify_url=printed_url("verification.certificate", number=certificate.number))


def write_file(actor, contest, kind, options, out):
    """Any download of the exports page by its kind: a FORMATS key or one of PRINTS."""
    if kind == "award-list":
        return write_award_list(contest, out)
    if kind == "certificates":
        return write_certificates(actor, contest, out)
    return write_export(actor, contest, kind, options, out)


__all__ = ["ExportOptions", "FORMATS", "PDF_MIMETYPE", "PRINTS", "decision_date",
           "export_filename", "find_round", "write_award_list", "write_certificates",
           "write_export", "write_file"]
