"""Export verbs shared by the download buttons and `flask export`: they write into a binary file."""
from dataclasses import dataclass


from portal.audit import record
from portal.errors import DomainError
from portal.exports import pdf
from portal.exports.formats import XLSX_MIMETYPE, write_csv, write_xlsx, write_zip
from portal.exports.sheets import ExportOptions, contest_awards
from portal.exports.workbook import SHEET_KEYS, contest_sheets
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import Publication, utcnow
from portal.results.ranking import round_ranking
from portal.timezones import SHANGHAI


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
    filename = build_export(contest, fmt, options, out)
    record_export(actor, contest, fmt, options)
    return filename


def build_export(contest, fmt, options, out, progress=lambda fraction: None):
    """The export's file alone, calling `progress(fraction)` after the ranking and after each
    sheet is written (its rows are read as they are written: the reviews sheet's take most of
    the time)."""
    if fmt not in FORMATS:
        raise DomainError(_l("Choose CSV, XLSX or ZIP."))
    ranked = round_ranking(contest, options.contest_round)
    progress(0.3)
    sheets = contest_sheets(contest, options, ranked, FORMATS[fmt].sheets)

    def written(count):
        progress(0.3 + 0.65 * count / len(sheets))

    if fmt == "csv":
        write_csv(sheets[0], out)
    elif fmt == "xlsx":
        write_xlsx(sheets, out, written)
    else:
        write_zip(sheets, out, written)
    return export_filename(contest, fmt, options.contest_round)


def record_export(actor, contest, fmt, options, prepared=False):
    """Exports hold personal data (PIPL): who took which, and with which identities."""
    if fmt not in FORMATS:
        raise DomainError(_l("Choose CSV, XLSX or ZIP."))
    record(actor, "contest.exported", contest=contest, target=contest, format=fmt,
           round=options.contest_round.code, judge_names=options.judge_names,
           comments=options.comments, **({"prepared": True} if prepared else {}))


def decision_date(contest):
    """The date printed on the award list and certificates: when the results were finalized,
    else when they were published, else today (Beijing time)."""
    publication = db.session.scalar(db.select(Publication).filter_by(contest_id=contest.id))
    moment = None
    if publication is not None:
        moment = publication.finalized_at or publication.published_at
    return (moment or utcnow()).astimezone(SHANGHAI).date()


def write_award_list(contest, out, themes=None):
    """The printable award list (A4 PDF) into `out`, of the awards of these theme ids only
    unless None (a theme chair's); returns its file name."""
    out.write(pdf.award_list(contest, contest_awards(contest, themes), decision_date(contest)))
    return f"{contest.slug}-award-list.pdf"


__all__ = ["ExportOptions", "FORMATS", "PDF_MIMETYPE", "PRINTS", "decision_date",
           "export_filename", "find_round", "write_award_list", "write_export"]
