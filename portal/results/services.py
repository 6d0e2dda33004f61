"""The ranked list: gathers reviews from the database and hands them to `portal.scoring`."""
import csv
import io
from collections import defaultdict

from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Assignment, Proposal, ProposalStatus, Review, Score
from portal.scoring import ReviewInput, rank_by_group, rank_proposals


def ranking_for(contest, contest_round=None):
    """Ranked rows (overall and per theme) for the proposals in competition.

    Only submitted reviews count. Returns (rows, rows_by_theme_id, proposals_by_id); a row carries
    the proposal it ranks. Three queries whatever the number of proposals.
    """
    contest_round = contest_round or contest.current_round
    proposals = db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(ProposalStatus.IN_COMPETITION))
        .options(selectinload(Proposal.theme), selectinload(Proposal.entrant_type))
        .order_by(Proposal.id)).all()
    by_id = {proposal.id: proposal for proposal in proposals}
    weights = {criterion.id: criterion.weight for criterion in contest.criteria}
    reviews = _submitted_reviews(contest_round, by_id) if contest_round else []
    rows = rank_proposals(list(by_id), reviews, weights)
    by_theme = rank_by_group(rows, lambda proposal_id: by_id[proposal_id].theme_id)
    return rows, by_theme, by_id


def _submitted_reviews(contest_round, proposals_by_id):
    result = db.session.execute(
        db.select(Review.id, Assignment.proposal_id, Assignment.judge_id, Score.criterion_id,
                  Score.value)
        .join(Assignment, Review.assignment_id == Assignment.id)
        .join(Score, Score.review_id == Review.id)
        .filter(Assignment.round_id == contest_round.id, Review.submitted_at.is_not(None)))
    scores = defaultdict(dict)
    owners = {}
    for review_id, proposal_id, judge_id, criterion_id, value in result:
        if proposal_id in proposals_by_id:
            scores[review_id][criterion_id] = value
            owners[review_id] = (proposal_id, judge_id)
    return [ReviewInput(owners[review_id][0], owners[review_id][1], review_scores)
            for review_id, review_scores in sorted(scores.items())]


# Cells that a spreadsheet would run as a formula start with one of these.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that Excel shows as text: formula-like cells get a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_with_bom(header, rows):
    """CSV that Excel opens with Chinese text intact: UTF-8 with a byte-order mark, CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
