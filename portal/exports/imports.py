"""Import of paper scores: an XLSX in the `reviews` layout, all rows checked before any is saved.

Columns are found by their header, in Chinese or English: the judge code, the reference and one
column per criterion (its name or code); a comment column is used as the review's comment; other
columns (theme, title, judge name, total) are ignored. Rows are numbered as Excel shows them.
"""
import io
import unicodedata
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext
from sqlalchemy.orm import joinedload, selectinload

from portal.audit import record
from portal.errors import DomainError
from portal.exports.formats import Sheet, undo_spreadsheet_safe, write_xlsx
from portal.exports.sheets import code_of, judge_codes, reviews_header
from portal.extensions import db
from portal.i18n import SUPPORTED, current_locale, lazy_gettext as _l
from portal.judging.services import save_review
from portal.models import Assignment, Proposal, Review
from portal.proposals.filetypes import RejectedFile, sniff
from portal.rules.contest import judge_name, scoring_refusal
from portal.rules.criteria import kind_of

MAX_ROWS = 20000
MAX_COLUMNS = 100   # a reviews sheet has about ten; a wider one is read up to here
# The headers the import looks for, as in the `reviews` export (see portal.exports.sheets).
JUDGE_CODE, REFERENCE, COMMENT = "Judge code", "Reference", "Comment"


@dataclass
class RowError:
    """A problem in the file: its row (1 is the header) and column as Excel shows them."""

    row: int | None
    column: str | None
    message: str


class ImportRejected(Exception):
    """The file was refused as a whole; `errors` lists every problem found."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    skipped: int = 0    # rows of the template left without any score


@dataclass
class _Planned:
    row: int
    assignment: object
    values: dict
    comment: str | None
    unchanged: bool = False


@dataclass
class _Table:
    columns: dict                       # "judge", "reference", "comment", criterion id -> index
    header: list
    rows: list = field(default_factory=list)   # (row number, cells)


def read_xlsx_upload(upload, max_bytes):
    """The uploaded file's bytes when it is a real XLSX workbook within the size cap."""
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise DomainError(_l("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)),
                          field="file")
    try:
        kind = sniff(content[:4096], lambda: content)
    except RejectedFile as refusal:
        if refusal.reason == "empty":
            raise DomainError(_l("The file is empty."), field="file") from refusal
        kind = None
    if kind != "xlsx":
        raise DomainError(_l("Upload an Excel workbook (.xlsx), such as the template."),
                          field="file")
    return content


def _fold(text):
    return unicodedata.normalize("NFKC", str(text or "")).strip().casefold()


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _aliases(message):
    """A header in every language of the portal, folded for comparison."""
    texts = {message}
    for locale in SUPPORTED:
        with force_locale(locale):
            texts.add(gettext(message))
    return {_fold(text) for text in texts}


def _column_label(index, header):
    from openpyxl.utils import get_column_letter   # on first use (portal.deferred_imports)

    name = header[index] if index < len(header) and header[index] is not None else ""
    return f"{get_column_letter(index + 1)} ({name})" if name else get_column_letter(index + 1)


def _find_columns(header, criteria):
    folded = [_fold(cell) for cell in header]
    wanted = {"judge": _aliases(JUDGE_CODE), "reference": _aliases(REFERENCE),
              "comment": _aliases(COMMENT)}
    for criterion in criteria:
        wanted[criterion.id] = {_fold(name) for name in (
            criterion.name_zh, criterion.name_en, criterion.code) if name}
    columns = {}
    for key, names in wanted.items():
        for index, cell in enumerate(folded):
            if cell and cell in names:
                columns[key] = index
                break
    return columns


def _read_table(content, criteria):
    """The sheet in the `reviews` layout: the first with a judge code and a reference column."""
    from openpyxl import load_workbook   # on first use (portal.deferred_imports)

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # a damaged file may fail anywhere in openpyxl
        raise ImportRejected([RowError(None, None, str(_l(
            "The workbook could not be read. Save it again in Excel as .xlsx.")))]) from error
    try:
        for worksheet in workbook.worksheets:
            rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            header = list(next(rows, None) or ())
            columns = _find_columns(header, criteria)
            if "judge" not in columns or "reference" not in columns:
                continue
            table = _Table(columns, header)
            for number, cells in enumerate(rows, start=2):
                if all(_blank(cell) for cell in cells):
                    continue
                if number > MAX_ROWS + 1:
                    raise ImportRejected([RowError(number, None, str(_l(
                        "The file has more than %(count)d rows.", count=MAX_ROWS)))])
                table.rows.append((number, tuple(cells)))
            return table
    finally:
        workbook.close()
    raise ImportRejected([RowError(1, None, str(_l(
        "No sheet has a “%(code)s” and a “%(reference)s” column in its first row: start from "
        "the template.", code=gettext(JUDGE_CODE), reference=gettext(REFERENCE))))])


def _cell(cells, index):
    return cells[index] if index is not None and index < len(cells) else None


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return undo_spreadsheet_safe(str(value).strip())


def _score(value, criterion):
    """(Decimal, None) or (None, message) for one cell, read and checked by the criterion's
    kind (portal.rules.criteria)."""
    kind = kind_of(criterion)
    number, message = kind.parse(criterion, value)
    if message is None:
        message = kind.refusal(criterion, number)
    return (None, message) if message is not None else (number, None)


class _RowChecker:
    """Checks rows against the contest: judge codes, references, the round's assignments."""

    def __init__(self, table, contest, contest_round, replace, themes=None):
        self.columns, self.header = table.columns, table.header
        self.criteria, self.replace = contest.criteria, replace
        self.codes = {code: user_id for user_id, code in judge_codes(contest).items()}
        self.references = {
            _fold(reference).upper(): proposal_id for reference, proposal_id in db.session.execute(
                db.select(Proposal.reference, Proposal.id)
                .filter(Proposal.contest_id == contest.id, Proposal.reference.is_not(None),
                        *_of_themes(themes)))}
        self.assignments = {
            (assignment.proposal_id, assignment.judge_id): assignment
            for assignment in db.session.scalars(
                db.select(Assignment).filter_by(round_id=contest_round.id)
                .options(joinedload(Assignment.proposal),
                         selectinload(Assignment.review).selectinload(Review.scores)))}
        self.seen = {}   # (proposal id, judge id) -> the row that named them first

    def missing_columns(self):
        return [RowError(1, None, str(_l("The column “%(column)s” is missing.",
                                         column=criterion.localized("name", current_locale()))))
                for criterion in self.criteria if criterion.id not in self.columns]

    def has_no_score(self, cells):
        """A template row for a judge who did not score on paper: skipped, not refused."""
        return all(_blank(_cell(cells, self.columns[criterion.id]))
                   for criterion in self.criteria)

    def check(self, number, cells):
        """(a planned save or None, this row's errors)."""
        errors = []

        def refuse(key, message):
            errors.append(RowError(number, _column_label(self.columns[key], self.header),
                                   str(message)))

        code = _fold(_text(_cell(cells, self.columns["judge"]))).upper()
        reference = _text(_cell(cells, self.columns["reference"]))
        judge_id = self.codes.get(code)
        proposal_id = self.references.get(_fold(reference).upper())
        if not code:
            refuse("judge", _l("Enter the judge code."))
        elif judge_id is None:
            refuse("judge", _l("No judge of this contest has the code %(code)s.", code=code))
        if not reference:
            refuse("reference", _l("Enter the proposal's reference."))
        elif proposal_id is None:
            refuse("reference", _l("No proposal of this contest has the reference "
                                   "%(reference)s.", reference=reference))
        assignment = self.assignments.get((proposal_id, judge_id))
        if judge_id is not None and proposal_id is not None:
            if assignment is None:
                refuse("judge", _l("Judge %(code)s is not assigned to %(reference)s in this "
                                   "round: assign the proposal to the judge first.",
                                   code=code, reference=reference))
            elif (proposal_id, judge_id) in self.seen:
                refuse("reference", _l("This judge and proposal are already in row %(row)d.",
                                       row=self.seen[(proposal_id, judge_id)]))
            else:
                self.seen[(proposal_id, judge_id)] = number
        values = {}
        for criterion in self.criteria:
            values[criterion.id], message = _score(
                _cell(cells, self.columns[criterion.id]), criterion)
            if message is not None:
                refuse(criterion.id, message)
        if errors or assignment is None:
            return None, errors
        comment = _text(_cell(cells, self.columns.get("comment"))) or None
        item = _plan(number, assignment, values, comment, self.criteria)
        if not (item.unchanged or self.replace or not _submitted(assignment)):
            refuse("judge", _l("Judge %(code)s has already submitted other scores for "
                               "%(reference)s: tick “Replace scores already submitted” to "
                               "overwrite them.", code=code, reference=reference))
            return None, errors
        return item, errors


def _of_themes(themes):
    """A chair's import and template hold their themes' proposals only: a reference of another
    theme is refused as one that does not exist."""
    return [] if themes is None else [Proposal.theme_id.in_(sorted(themes))]


def _check_rows(table, contest, contest_round, replace, themes=None):
    """Every row checked: (planned saves, errors, rows skipped for having no score at all)."""
    checker = _RowChecker(table, contest, contest_round, replace, themes)
    errors = checker.missing_columns()
    if errors:
        return [], errors, 0
    planned, skipped = [], 0
    for number, cells in table.rows:
        if checker.has_no_score(cells):
            skipped += 1
            continue
        item, row_errors = checker.check(number, cells)
        errors += row_errors
        if item is not None:
            planned.append(item)
    if not errors and not planned:
        errors.append(RowError(None, None, str(_l("The file has no rows of scores."))))
    return planned, errors, skipped


def _submitted(assignment):
    return assignment.review is not None and assignment.review.submitted_at is not None


def _plan(number, assignment, values, comment, criteria):
    review = assignment.review
    if review is not None and comment is None:
        comment = review.comment  # an empty cell keeps the comment typed in the portal
    unchanged = _submitted(assignment) and comment == review.comment and all(
        review.score_for(criterion.id) == values[criterion.id] for criterion in criteria)
    return _Planned(number, assignment, values, comment, unchanged)


def import_scores(actor, contest, contest_round, content, replace=False, filename=None,
                  themes=None):
    """Check every row of the workbook, then save each as a submitted review (save_review);
    with `themes` (a chair's theme ids), rows of other themes' proposals are refused.

    Raises ImportRejected with every problem, having saved nothing, when any row is wrong.
    """
    if contest_round.contest_id != contest.id:
        raise DomainError(_l("Choose an open round of this contest."))
    refusal = scoring_refusal(contest_round)
    if refusal is not None:
        raise DomainError(refusal)
    table = _read_table(content, contest.criteria)
    planned, errors, skipped = _check_rows(table, contest, contest_round, replace, themes)
    if errors:
        raise ImportRejected(errors)
    summary = ImportSummary(rows=len(planned), skipped=skipped)
    for item in planned:
        if item.unchanged:
            summary.unchanged += 1
            continue
        if _submitted(item.assignment):
            summary.revised += 1
        else:
            summary.created += 1
        save_review(actor, item.assignment, item.values, item.comment, submit=True)
    record(actor, "scores.imported", contest=contest, target=contest_round,
           round=contest_round.code, file=filename, rows=summary.rows, created=summary.created,
           revised=summary.revised, unchanged=summary.unchanged, skipped=summary.skipped)
    return summary


def write_template(contest, contest_round, out, themes=None):
    """An XLSX to type paper scores into: a row per assignment of the round (of these theme
    ids' proposals only, unless None), scores empty."""
    locale = current_locale()
    codes = judge_codes(contest)
    assignments = db.session.scalars(
        db.select(Assignment).join(Assignment.proposal)
        .filter(Assignment.round_id == contest_round.id, *_of_themes(themes))
        .options(joinedload(Assignment.judge),
                 joinedload(Assignment.proposal).selectinload(Proposal.theme))).all()
    header = reviews_header(contest.criteria, locale, judge_names=True, title=True) + [
        gettext(COMMENT)]
    rows = [[assignment.proposal.reference, assignment.proposal.title,
             assignment.proposal.theme.localized("name", locale),
             code_of(codes, assignment.judge_id), judge_name(assignment.judge)]
            + [None] * len(contest.criteria) + [None] for assignment in assignments]
    rows.sort(key=lambda row: (row[0] or "", row[3]))
    write_xlsx([Sheet("reviews", gettext("Review records"), header, rows,
                      widths={1: 40})], out)
    return f"{contest.slug}-{contest_round.code}-score-template.xlsx"
