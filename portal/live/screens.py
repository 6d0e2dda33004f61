"""What each pitch-day page shows, read in a bounded number of queries: the host's panel, the
big screen, a judge's phone and the audience page all start from one `Board`."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from portal.exports.sheets import code_of, judge_codes, winner_name
from portal.extensions import db
from portal.live.services import conflicted_judges, current_pitch, live_judges, phase_seconds, \
    timer_elapsed
from portal.models import Assignment, AwardScope, LivePitch, LiveRule, LiveSession, LiveState, \
    PitchStatus, Proposal, Review, utcnow
from portal.results.ranking import round_ranking
from portal.scoring.live import TRIMMED, pitch_score, reveal_groups, running_ranking
from portal.scoring.plain import review_total

SHOWS_SCORES = (LiveState.REVEALED,)


@dataclass
class Reveal:
    """A pitch's scores as revealed: entries (label, total, dropped: 'high', 'low' or None)."""

    entries: list
    score: object
    rule: str
    fell_back: bool


@dataclass
class Board:
    live: LiveSession
    pitch: object                 # LivePitch on stage, or None
    order: list                   # LivePitch, running order
    timer_length: int
    timer_elapsed: float
    timer_running: bool
    judges: list                  # User, the judges of the day
    conflicted: set               # judge ids conflicted with the pitch on stage
    scored: set                   # judge ids whose score for the pitch on stage arrived
    reveal: Reveal | None
    running: list                 # (rank, LivePitch, score) of the pitches revealed
    final_groups: list = field(default_factory=list)   # (tier name or None, [(rank, pitch)])
    final_total: int = 0
    rendered_at: float = 0.0     # the moment (epoch seconds) the timer's figures hold for

    @property
    def expected(self):
        return [judge for judge in self.judges if judge.id not in self.conflicted]

    @property
    def scored_count(self):
        return len(self.scored & {judge.id for judge in self.expected})

    @property
    def remaining(self):
        return self.timer_length - self.timer_elapsed

    def team(self, pitch):
        return winner_name(pitch.proposal)


def _reviews_by_proposal(live, proposal_id=None):
    query = db.select(Review).join(Review.assignment).filter(
        Assignment.round_id == live.round_id, Review.submitted_at.is_not(None))
    if proposal_id is not None:
        query = query.filter(Assignment.proposal_id == proposal_id)
    reviews = db.session.scalars(
        query
        .options(selectinload(Review.scores), selectinload(Review.assignment))).all()
    by_proposal = defaultdict(list)
    for review in reviews:
        by_proposal[review.assignment.proposal_id].append(review)
    return by_proposal


def _weights(contest):
    return {criterion.id: criterion.weight for criterion in contest.criteria}


def _totals(reviews, weights):
    """(judge id, total) of each complete review, in judge id order."""
    rows = []
    for review in sorted(reviews, key=lambda r: r.assignment.judge_id):
        scores = {score.criterion_id: score.value for score in review.scores}
        try:
            rows.append((review.assignment.judge_id, review_total(scores, weights)))
        except ValueError:   # a criterion added since: the review waits for its judge
            continue
    return rows


def _official_scores(live):
    ranked = round_ranking(live.contest, live.round, with_intervals=False)
    return ranked, {row.proposal_id: row.score for row in ranked.result.rows}


def _reveal(live, totals, codes, official):
    rule = live.rule if live.rule != LiveRule.OFFICIAL else None
    result = pitch_score([total for _judge, total in totals], rule or "mean")
    entries = []
    for index, (judge_id, total) in enumerate(totals):
        dropped = "high" if index == result.dropped_high else \
            "low" if index == result.dropped_low else None
        entries.append((code_of(codes, judge_id) if codes is not None else "", total, dropped))
    if codes is None:
        entries.sort(key=lambda entry: -entry[1])
    score = result.score if rule else official
    return Reveal(entries, score, live.rule, result.fell_back and rule == TRIMMED)


def board(live, now=None, with_scores=False, for_judge=False):
    """The session as every page sees it; `with_scores`: the host's view of a closed pitch;
    `for_judge`: a judge's phone, which shows the pitch on stage and who scored it, neither
    the scores nor the ranking (so neither is read)."""
    now = now or utcnow()
    live = db.session.scalar(db.select(LiveSession).filter_by(id=live.id).options(
        selectinload(LiveSession.pitches).selectinload(LivePitch.proposal)
        .selectinload(Proposal.applicant)))
    pitch = current_pitch(live)
    judges = live_judges(live)
    conflicted = conflicted_judges(live, pitch.proposal, judges) if pitch else set()
    weights = _weights(live.contest)
    official, ranked = {}, None
    if for_judge:
        by_proposal = _reviews_by_proposal(live, pitch.proposal_id) if pitch else {}
        codes, done = None, []
    else:
        by_proposal = _reviews_by_proposal(live)
        codes = judge_codes(live.contest) if live.show_judge_codes else None
        done = [p for p in live.pitches if p.status == PitchStatus.DONE]
        if live.rule == LiveRule.OFFICIAL or live.state == LiveState.RANKING:
            ranked, official = _official_scores(live)
    scored = set()
    reveal = None
    if pitch is not None:
        totals = _totals(by_proposal.get(pitch.proposal_id, []), weights)
        scored = {judge_id for judge_id, _total in totals}
        if not for_judge and (live.state in SHOWS_SCORES or (
                with_scores and live.state == LiveState.SCORING_CLOSED)):
            reveal = _reveal(live, totals, codes, official.get(pitch.proposal_id))
    pitch_scores = []
    for done_pitch in done:
        totals = _totals(by_proposal.get(done_pitch.proposal_id, []), weights)
        value = _reveal(live, totals, codes, official.get(done_pitch.proposal_id)).score
        if value is not None:
            pitch_scores.append((done_pitch, value))
    running = running_ranking(pitch_scores)
    result = Board(live, pitch, list(live.pitches), phase_seconds(live),
                   timer_elapsed(live, now), live.timer_started_at is not None, judges,
                   conflicted, scored, reveal, running)
    result.rendered_at = now.timestamp()
    if live.state == LiveState.RANKING and not for_judge:
        _final(result, ranked, done)
    return result


def _final(result, ranked, done):
    by_proposal = {pitch.proposal_id: pitch for pitch in done}
    rows = [row for row in ranked.result.rows if row.proposal_id in by_proposal
            and row.score is not None]
    keys = [row.proposal_id for row in rows]
    tiers = [tier for tier in result.live.contest.award_tiers if tier.scope == AwardScope.OVERALL]
    groups = reveal_groups(keys, [tier.count for tier in tiers])
    places = {key: place for place, key in enumerate(keys, start=1)}
    result.final_total = len(groups)
    shown = groups[:result.live.final_step]
    result.final_groups = [(tiers[tier] if tier is not None else None,
                            [(places[key], by_proposal[key]) for key in members])
                           for tier, members in shown]
