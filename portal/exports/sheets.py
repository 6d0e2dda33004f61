"""The rows of each export sheet, as plain lists under a header in the reader's language.

Every sheet is built from a fixed number of queries, whatever the number of proposals. Judges are
named by a code (J001, J002, ... in the order they joined the contest); their names appear only
when the organizer asks for them.
"""
import itertools
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from portal.exports.formats import Sheet
from portal.extensions import db
from portal.i18n import current_locale, join_list, part_names
from portal.labels import proposal_status_label
from portal.models import (
    Assignment,
    Award,
    AwardTier,
    BudgetLine,
    JudgeMembership,
    Proposal,
    ProposalStatus,
    Review,
    Score,
    User,
)
from portal.rules.contest import judge_name
from portal.rules.criteria import kind_of
from portal.rules.scores import with_score_columns
from portal.scoring import review_total
from portal.timezones import to_beijing_naive

MONEY = "#,##0.00"
SCORE = "0.00"
# The long sheets' rows are read from the database in batches of this many as they are written,
# so that a worker never holds a whole contest's reviews or proposal texts.
REVIEW_ROWS_PER_BATCH = 3000
PROPOSAL_ROWS_PER_BATCH = 500


@dataclass(frozen=True)
class ExportOptions:
    """What the organizer chose: the round, and whether judges' names and comments are shown."""

    contest_round: object
    judge_names: bool = False
    comments: bool = False
    # The theme ids a theme chair's export is limited to; None for every theme.
    themes: frozenset | None = None

    def shows(self, theme_id):
        return self.themes is None or theme_id in self.themes


class KeyDefaultDict(dict):
    """A dict that makes a missing value from its key (defaultdict's factory gets no key)."""

    def __init__(self, make):
        super().__init__()
        self._make = make

    def __missing__(self, key):
        value = self[key] = self._make(key)
        return value


def judge_code(position):
    return f"J{position:03d}"


def judge_codes(contest):
    """Judge (user) id -> code such as 'J007': the order in which judges joined the contest."""
    user_ids = db.session.scalars(
        db.select(JudgeMembership.user_id).filter_by(contest_id=contest.id)
        .order_by(JudgeMembership.id)).all()
    return {user_id: judge_code(position) for position, user_id in enumerate(user_ids, start=1)}


def code_of(codes, judge_id):
    # A judge without a membership any more keeps a code that can never collide with one.
    return codes.get(judge_id) or f"U{judge_id}"


def winner_name(proposal):
    """Who a winner is on a list or certificate: the organization, else the applicant."""
    if proposal.organization:
        return proposal.organization
    if proposal.contact_name:
        return proposal.contact_name
    return judge_name(proposal.applicant)


def _number(value, places=4):
    return None if value is None else round(float(value), places)


def _yes(flag):
    return _("yes") if flag else ""


def _name(part, locale):
    return part.localized("name", locale) if part is not None else ""


def contest_awards(contest, themes=None):
    """The contest's awards with their tier and proposal, by tier then reference; with
    `themes`, those of proposals of these theme ids only."""
    return db.session.scalars(
        db.select(Award).join(Award.tier).join(Award.proposal)
        .filter(Award.contest_id == contest.id,
                *([] if themes is None else [Proposal.theme_id.in_(sorted(themes))]))
        .options(joinedload(Award.tier),
                 joinedload(Award.proposal).options(selectinload(Proposal.theme),
                                                    selectinload(Proposal.applicant)))
        .order_by(AwardTier.position, Proposal.reference, Proposal.id)).all()


def _submitted_reviews(contest_round, criteria, with_comments):
    """(reference, theme id, judge id, comment, score of each criterion as a float or None) of
    each submitted review of the round, by reference, then judge in the order judges joined the
    contest (those without a membership any more last, by id): one row per review
    (rules.scores), read in batches of plain rows as they are written (the ORM's objects cost
    seconds and most of a worker's memory).
    """
    statement = with_score_columns(
        db.select(Proposal.reference, Proposal.theme_id, Assignment.judge_id,
                  Review.comment if with_comments else db.null())
        .select_from(Review).join(Assignment, Review.assignment_id == Assignment.id)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .outerjoin(JudgeMembership, (JudgeMembership.contest_id == Proposal.contest_id)
                   & (JudgeMembership.user_id == Assignment.judge_id)), criteria)
    # Through the connection: plain rows, without the ORM's row processing. Closed on leaving
    # (a reader that stops early closes this generator): the cursor is server-side on
    # PostgreSQL, and holds the connection's transaction open until closed.
    with db.session.connection().execute(
        statement.filter(Assignment.round_id == contest_round.id,
                         Review.submitted_at.is_not(None))
        .order_by(Proposal.reference, JudgeMembership.id.is_(None), JudgeMembership.id,
                  Assignment.judge_id, Review.id)
        .execution_options(stream_results=True)) as result:
        for batch in result.partitions(REVIEW_ROWS_PER_BATCH):
            yield from batch


def _stored_scores():
    """Score as the query reads it (a float) -> the Decimal the column holds, made once per
    distinct score: 150,000 conversions by the driver layer cost more than the query."""
    places = Score.value.type.scale
    return KeyDefaultDict(lambda value: None if value is None else Decimal(
        f"{value:.{places}f}"))


def _judge_names(contest_round):
    """Judge id -> the name shown for them, for the judges of the round's assignments."""
    return {judge_id: display_name or email or "" for judge_id, display_name, email in
            db.session.execute(
                db.select(User.id, User.display_name, User.email)
                .filter(User.id.in_(db.select(Assignment.judge_id)
                                    .filter(Assignment.round_id == contest_round.id))))}


def reviews_header(criteria, locale, judge_names=False, comments=False, title=False):
    """The `reviews` layout, which the score import reads back (see portal.exports.imports)."""
    header = [_("Reference")] + ([_("Title")] if title else []) + [_("Theme"), _("Judge code")]
    if judge_names:
        header.append(_("Judge name"))
    header += [criterion.localized("name", locale) for criterion in criteria]
    return header


def reviews_sheet(contest, options, codes):
    """One row per submitted review of the round: the judge's code, a column per criterion."""
    locale = current_locale()
    criteria = contest.criteria
    weights = {criterion.id: criterion.weight for criterion in criteria}
    header = reviews_header(criteria, locale, options.judge_names) + [_("Review total")]
    if options.comments:
        header.append(_("Comment"))
    first_score = 3 + (1 if options.judge_names else 0)
    # Each criterion's cells are written and formatted by its kind (portal.rules.criteria),
    # which the paper import reads back; the review total is a mean, in two decimals.
    kinds = [kind_of(criterion) for criterion in criteria]
    formats = {first_score + offset: kind.number_format(criterion)
               for offset, (kind, criterion) in enumerate(zip(kinds, criteria))
               if kind.number_format(criterion)}
    formats[first_score + len(criteria)] = SCORE
    themes = part_names(contest.themes, locale)
    names = _judge_names(options.contest_round) if options.judge_names else {}

    stored = _stored_scores()
    # Each criterion's cell of each distinct score, made once (a kind may translate it).
    cells = [KeyDefaultDict(lambda value, kind=kind, criterion=criterion:
                            kind.cell(criterion, stored[value]))
             for kind, criterion in zip(kinds, criteria)]
    criterion_ids = [criterion.id for criterion in criteria]
    everything = options.themes is None

    def total(values):
        # Exact totals (fractions) are slow and few are distinct: 1-10 on three criteria
        # make at most 1,000, for 50,000 reviews.
        scores = {criterion_id: stored[value]
                  for criterion_id, value in zip(criterion_ids, values) if value is not None}
        try:
            return _number(review_total(scores, weights))
        except ValueError:  # a criterion added after the review was submitted
            return None

    totals = KeyDefaultDict(total)

    def lines():
        for row in _submitted_reviews(options.contest_round, criteria, options.comments):
            reference, theme_id, judge_id, comment, *values = row
            if not (everything or options.shows(theme_id)):
                continue
            line = [reference, themes.get(theme_id, ""), code_of(codes, judge_id)]
            if options.judge_names:
                line.append(names.get(judge_id, ""))
            line += [cell[value] for cell, value in zip(cells, values)]
            line.append(totals[tuple(values)])
            if options.comments:
                line.append(comment)
            yield line

    return Sheet("reviews", _("Review records"), header, lines(), formats=formats)


def proposals_sheet(contest, theme_ids=None):
    """Every proposal but drafts (the applicant's private work), with all its fields: plain
    rows read in batches as they are written, so that a worker never holds every text. With
    `theme_ids`, the proposals of those themes only."""
    locale = current_locale()
    themes = part_names(contest.themes, locale)
    entrant_types = part_names(contest.entrant_types, locale)
    budgets = _budget_texts(contest)
    rows = _read_in_batches(
        db.select(Proposal.id, Proposal.reference, Proposal.title, Proposal.theme_id,
                  Proposal.entrant_type_id, Proposal.organization,
                  User.display_name.label("applicant_name"), User.email.label("applicant_email"),
                  Proposal.contact_name, Proposal.contact_phone, Proposal.contact_email,
                  Proposal.status, Proposal.status_note, Proposal.submitted_at,
                  Proposal.summary, Proposal.need, Proposal.beneficiaries,
                  Proposal.beneficiary_count, Proposal.plan, Proposal.budget_total,
                  Proposal.outcomes, Proposal.innovation, Proposal.team,
                  Proposal.sustainability, Proposal.publish_consent)
        .outerjoin(User, User.id == Proposal.applicant_id)
        .filter(Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT,
                *([] if theme_ids is None else [Proposal.theme_id.in_(sorted(theme_ids))]))
        .order_by(Proposal.reference, Proposal.id), PROPOSAL_ROWS_PER_BATCH)
    header = [_("Reference"), _("Project title"), _("Theme"), _("Entrant type"),
              _("Organization"), _("Applicant"), _("Contact person for this proposal"),
              _("Contact mobile phone"), _("Contact email"), _("Status"), _("Status note"),
              _("Submitted at"), _("Summary"), _("The need it answers"), _("Beneficiaries"),
              _("Number of beneficiaries"), _("Activities and timeline"), _("Budget"),
              _("Budget total (yuan)"), _("Expected outcomes"), _("What is innovative"),
              _("Team"), _("Sustainability"), _("May be published if awarded")]
    # Translated once per distinct value, not per row (a translation is a lookup in the
    # request's catalog: a tenth of the sheet's own time at 10,000 proposals).
    statuses = KeyDefaultDict(lambda status: str(proposal_status_label(status)))
    consents = KeyDefaultDict(_yes)
    lines = ([
        row.reference, row.title, themes.get(row.theme_id, ""),
        entrant_types.get(row.entrant_type_id, ""), row.organization,
        (row.applicant_name or row.applicant_email or ""), row.contact_name, row.contact_phone,
        row.contact_email, statuses[row.status], row.status_note,
        to_beijing_naive(row.submitted_at), row.summary, row.need, row.beneficiaries,
        row.beneficiary_count, row.plan, budgets.get(row.id, ""), row.budget_total,
        row.outcomes, row.innovation, row.team, row.sustainability, consents[row.publish_consent]]
        for row in rows)
    return Sheet("proposals", _("Proposals"), header, lines, widths={1: 40},
                 formats={18: MONEY})


def _read_in_batches(statement, batch):
    """The rows of `statement`, read `batch` at a time once the first is asked for; the cursor
    (server-side on PostgreSQL) is closed when the last is read or the reader stops early."""
    with db.session.execute(statement.execution_options(yield_per=batch)) as rows:
        yield from rows


def _budget_texts(contest):
    """Proposal id -> its budget lines as one text ("item amount (note); ..."), one query."""
    rows = db.session.execute(
        db.select(BudgetLine.proposal_id, BudgetLine.item, BudgetLine.amount, BudgetLine.note)
        .join(Proposal, Proposal.id == BudgetLine.proposal_id)
        .filter(Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT)
        .order_by(BudgetLine.proposal_id, BudgetLine.position))
    texts = {}
    for proposal_id, lines in itertools.groupby(rows, key=itemgetter(0)):
        texts[proposal_id] = "; ".join(
            f"{item} {amount} ({note})" if note else f"{item} {amount}"
            for _id, item, amount, note in lines)
    return texts


def judges_sheet(contest, options, codes, ranked):
    """Each judge: code, expertise, load in the round and the ranking's statistics."""
    locale = current_locale()
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .options(selectinload(JudgeMembership.user), selectinload(JudgeMembership.expertise))
        .order_by(JudgeMembership.id)).all()
    load = {judge_id: (assigned, submitted) for judge_id, assigned, submitted in
            db.session.execute(
                db.select(Assignment.judge_id, db.func.count(Assignment.id),
                          db.func.count(Review.submitted_at))
                .outerjoin(Review, Review.assignment_id == Assignment.id)
                .filter(Assignment.round_id == options.contest_round.id)
                .group_by(Assignment.judge_id))}
    statistics = {stats.judge_id: stats for stats in ranked.result.judges}
    header = [_("Judge code")]
    if options.judge_names:
        header += [_("Judge name"), _("Organization")]
    header += [_("Themes of expertise"), _("Active"), _("Assigned"), _("Submitted"),
               _("Reviews"), _("Mean total"), _("Spread (sd)"), _("Bias estimate")]
    first_statistic = len(header) - 3
    rows = []
    for membership in memberships:
        user = membership.user
        stats = statistics.get(membership.user_id)
        assigned, submitted = load.get(membership.user_id, (0, 0))
        line = [code_of(codes, membership.user_id)]
        if options.judge_names:
            line += [judge_name(user), user.organization]
        line += [join_list((theme.localized("name", locale) for theme in membership.expertise),
                           locale),
                 _yes(membership.active and user.active), assigned, submitted,
                 stats.review_count if stats else 0,
                 _number(stats.mean) if stats else None,
                 _number(stats.sd) if stats else None, _number(stats.bias) if stats else None]
        rows.append(line)
    return Sheet("judges", _("Judges"), header, rows,
                 formats={first_statistic + offset: SCORE for offset in range(3)})


def awards_sheet(awards):
    """Each winner by tier: requested budget and grant."""
    locale = current_locale()
    header = [_("Award tier"), _("Reference"), _("Title"), _("Theme"),
              _("Organization or applicant"), _("Requested budget (yuan)"), _("Grant (yuan)")]
    rows = [[_name(award.tier, locale), award.proposal.reference, award.proposal.title,
             _name(award.proposal.theme, locale), winner_name(award.proposal),
             award.proposal.budget_total, award.grant] for award in awards]
    return Sheet("awards", _("Awards"), header, rows, widths={2: 40},
                 formats={5: MONEY, 6: MONEY})
