"""Pitch-day verbs: set up a session, the host's steps (compare-and-set on the session's version,
each one audited and undoable), the judges' scores (idempotent) and reminders."""
import secrets
from datetime import datetime

from sqlalchemy import update

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.judging.assigning import assign_judges
from portal.judging.services import active_judges, save_review
from portal.live.pulse import changed as pulse_changed
from portal.models import Assignment, LivePitch, LiveReceipt, LiveRule, LiveSession, LiveState, \
    LiveStep, PitchStatus, Proposal, ProposalStatus, utcnow
from portal.generations import RANKING_INPUTS
from portal.rules.conflicts import assess, contest_rows

FINALISTS = (ProposalStatus.ADVANCED, ProposalStatus.AWARDED)
# Host steps, and the states each may start from.
STEPS = {
    "start": (LiveState.WAITING, LiveState.REVEALED),
    "qa": (LiveState.PRESENTING,),
    "timer": (LiveState.PRESENTING, LiveState.QA),
    "open": (LiveState.PRESENTING, LiveState.QA),
    "close": (LiveState.SCORING_OPEN,),
    "reveal": (LiveState.SCORING_CLOSED,),
    "ranking": (LiveState.WAITING, LiveState.REVEALED),
    "reveal_next": (LiveState.RANKING,),
}
ON_STAGE = (LiveState.PRESENTING, LiveState.QA)


def session_for_round(contest_round):
    return db.session.scalar(db.select(LiveSession).filter_by(round_id=contest_round.id))


def create_session(actor, contest, contest_round):
    """The round's live session, its running order the finalists (advanced proposals) by
    reference; an existing session is returned as it is."""
    existing = session_for_round(contest_round)
    if existing is not None:
        return existing
    finalists = db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(FINALISTS))
        .order_by(Proposal.reference, Proposal.id)).all()
    if not finalists:
        raise DomainError(_l("No proposal has advanced to this round yet: advance the finalists "
                             "from the ranking first."))
    live = LiveSession(contest=contest, round=contest_round,
                       screen_token=secrets.token_urlsafe(24), created_by_id=actor.id,
                       state=LiveState.WAITING, version=1, activity=0, timer_elapsed=0.0,
                       final_step=0, rule=LiveRule.TRIMMED, show_judge_codes=True,
                       audience_public=False, present_seconds=300, qa_seconds=180)
    live.pitches = [LivePitch(proposal=proposal, position=position, status=PitchStatus.PENDING,
                              reminded=[])
                    for position, proposal in enumerate(finalists, start=1)]
    db.session.add(live)
    db.session.flush()
    record(actor, "live.created", contest=contest, target=live, round=contest_round.code,
           pitches=[proposal.id for proposal in finalists])
    return live


def save_settings(actor, live, rule, present_minutes, qa_minutes, show_judge_codes,
                  audience_public):
    """The live round's scoring rule, the pitch times and what the screens show."""
    if rule not in LiveRule.ALL:
        raise DomainError(_l("Choose a scoring rule."), field="rule")
    before = {"rule": live.rule, "present_seconds": live.present_seconds,
              "qa_seconds": live.qa_seconds, "show_judge_codes": live.show_judge_codes,
              "audience_public": live.audience_public}
    if rule != live.rule:
        # The round's ranking (and so the awards) follows the rule.
        RANKING_INPUTS.note_changed(db.session)
    live.rule = rule
    live.present_seconds = int(present_minutes * 60)
    live.qa_seconds = int(qa_minutes * 60)
    live.show_judge_codes = bool(show_judge_codes)
    live.audience_public = bool(audience_public)
    live.version += 1
    db.session.flush()
    pulse_changed(live)
    record(actor, "live.settings", contest=live.contest, target=live, before=before,
           after={"rule": rule, "present_seconds": live.present_seconds,
                  "qa_seconds": live.qa_seconds, "show_judge_codes": live.show_judge_codes,
                  "audience_public": live.audience_public})


def current_pitch(live):
    return next((pitch for pitch in live.pitches if pitch.id == live.current_pitch_id), None)


def timer_elapsed(live, now=None):
    """Seconds the timer has run in the current phase."""
    elapsed = live.timer_elapsed or 0.0
    if live.timer_started_at is not None:
        elapsed += ((now or utcnow()) - live.timer_started_at).total_seconds()
    return elapsed


def phase_seconds(live):
    return live.qa_seconds if live.state == LiveState.QA else live.present_seconds


def _claim(live, seen_version):
    """Compare-and-set: raise the version if it is still the one the host saw, else refuse."""
    claimed = db.session.execute(
        update(LiveSession).where(LiveSession.id == live.id, LiveSession.version == seen_version)
        .values(version=LiveSession.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(live)
    pulse_changed(live)
    if claimed != 1:
        raise DomainError(_l("Another host changed the session a moment ago: this page now "
                             "shows what it is. Check it and act again."))


def _snapshot(live):
    return {"state": live.state, "current_pitch_id": live.current_pitch_id,
            "timer_elapsed": live.timer_elapsed,
            "timer_started_at": live.timer_started_at.isoformat()
            if live.timer_started_at else None,
            "final_step": live.final_step,
            "pitches": {str(pitch.id): [pitch.position, pitch.status] for pitch in live.pitches}}


def _restore(live, snapshot):
    live.state = snapshot["state"]
    live.current_pitch_id = snapshot["current_pitch_id"]
    live.timer_elapsed = snapshot["timer_elapsed"]
    started = snapshot["timer_started_at"]
    live.timer_started_at = datetime.fromisoformat(started) if started else None
    live.final_step = snapshot["final_step"]
    for pitch in live.pitches:
        position, status = snapshot["pitches"].get(str(pitch.id), (pitch.position, pitch.status))
        pitch.position, pitch.status = position, status


def _reset_timer(live, now, running=True):
    live.timer_elapsed = 0.0
    live.timer_started_at = now if running else None


def host_step(actor, live, step, seen_version, pitch_id=None, now=None):
    """Apply one host step to the session the host saw at `seen_version`; audited, undoable."""
    now = now or utcnow()
    _claim(live, seen_version)
    before = _snapshot(live)
    _apply(live, step, pitch_id, now)
    db.session.add(LiveStep(session_id=live.id, action=step, before=before, actor_id=actor.id,
                            at=now))
    db.session.flush()
    moved = next((p.proposal_id for p in live.pitches if p.id == pitch_id), None)
    record(actor, f"live.{step}", contest=live.contest, target=live, version=live.version,
           state=live.state, pitch=current_pitch(live).proposal_id
           if current_pitch(live) else None, moved=pitch_id, moved_proposal=moved)
    return live


def _pending(live):
    return [pitch for pitch in live.pitches if pitch.status == PitchStatus.PENDING]


def _apply(live, step, pitch_id, now):
    if step in STEPS and live.state not in STEPS[step]:
        raise DomainError(_l("That step does not fit the session's state: the page now shows "
                             "what it is."))
    pitch = current_pitch(live)
    if step == "start":
        upcoming = _pending(live)
        if not upcoming:
            raise DomainError(_l("Every pitch has been presented: reveal the final ranking."))
        upcoming[0].status = PitchStatus.CURRENT
        live.current_pitch_id = upcoming[0].id
        live.state = LiveState.PRESENTING
        _reset_timer(live, now)
    elif step == "qa":
        live.state = LiveState.QA
        _reset_timer(live, now)
    elif step == "timer":
        if live.timer_started_at is None:
            live.timer_started_at = now
        else:
            live.timer_elapsed = timer_elapsed(live, now)
            live.timer_started_at = None
    elif step == "open":
        live.state = LiveState.SCORING_OPEN
        live.timer_elapsed = timer_elapsed(live, now)
        live.timer_started_at = None
    elif step == "close":
        live.state = LiveState.SCORING_CLOSED
    elif step == "reveal":
        live.state = LiveState.REVEALED
        pitch.status = PitchStatus.DONE
        pitch.revealed_at = now
    elif step == "ranking":
        if _pending(live):
            raise DomainError(_l("Some pitches are still to come: skip them or mark them as "
                                 "absent first."))
        live.state = LiveState.RANKING
        live.current_pitch_id = None
        live.final_step = 0
    elif step == "reveal_next":
        live.final_step += 1
    elif step in ("up", "down", "no_show", "skip", "restore"):
        _order_step(live, step, pitch_id)
    else:
        raise DomainError(_l("Unknown step."))


def _order_step(live, step, pitch_id):
    pitch = next((p for p in live.pitches if p.id == pitch_id), None)
    if pitch is None:
        raise DomainError(_l("That pitch is not in the running order."))
    if step in ("up", "down"):
        pending = _pending(live)
        if pitch not in pending:
            raise DomainError(_l("Only pitches still to come can be moved."))
        index = pending.index(pitch)
        other = index - 1 if step == "up" else index + 1
        if 0 <= other < len(pending):
            pitch.position, pending[other].position = pending[other].position, pitch.position
            live.pitches.sort(key=lambda p: p.position)
    elif step == "restore":
        if pitch.status not in (PitchStatus.NO_SHOW, PitchStatus.SKIPPED):
            raise DomainError(_l("Only a skipped or absent pitch can be put back."))
        pitch.status = PitchStatus.PENDING
    elif pitch.status == PitchStatus.CURRENT:
        if live.state not in ON_STAGE:
            raise DomainError(_l("Scoring has started: this pitch can no longer be skipped."))
        pitch.status = PitchStatus.NO_SHOW if step == "no_show" else PitchStatus.SKIPPED
        live.current_pitch_id = None
        live.state = LiveState.WAITING
        _reset_timer(live, None, running=False)
    elif pitch.status == PitchStatus.PENDING:
        pitch.status = PitchStatus.NO_SHOW if step == "no_show" else PitchStatus.SKIPPED
    else:
        raise DomainError(_l("This pitch is over already."))


def undo_last(actor, live, seen_version, reason, now=None):
    """Undo the last step not yet undone, with a reason (audited). Scores received stay."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the undo; it is kept in the audit log."),
                          field="reason")
    _claim(live, seen_version)
    step = last_step(live)
    if step is None:
        raise DomainError(_l("There is no step to undo."))
    _restore(live, step.before)
    step.undone_at, step.undo_reason = now or utcnow(), reason
    db.session.flush()
    record(actor, "live.undone", contest=live.contest, target=live, step=step.action,
           reason=reason, version=live.version, state=live.state)


def last_step(live):
    return db.session.scalar(db.select(LiveStep).filter_by(session_id=live.id, undone_at=None)
                             .order_by(LiveStep.id.desc()).limit(1))


def _touch(live):
    """Raise the activity counter (scores, reminders): the pages' ETag changes."""
    db.session.execute(update(LiveSession).where(LiveSession.id == live.id)
                       .values(activity=LiveSession.activity + 1)
                       .execution_options(synchronize_session=False))
    pulse_changed(live)


def remind(actor, live, judge):
    pitch = current_pitch(live)
    if pitch is None or live.state != LiveState.SCORING_OPEN:
        raise DomainError(_l("Reminders go out while scoring is open."))
    pitch.reminded = sorted(set(pitch.reminded or []) | {judge.id})
    _touch(live)
    db.session.flush()
    record(actor, "live.reminded", contest=live.contest, target=live, judge=judge.id,
           proposal=pitch.proposal_id)


def live_judges(live):
    """The judges who score on pitch day: the contest's active judges."""
    return active_judges(live.contest)


def conflicted_judges(live, proposal, judges):
    """Ids of the judges with a standing conflict with the proposal (recorded or automatic)."""
    conflicts = assess([proposal], judges, contest_rows(live.contest_id))
    return {judge.id for judge in judges if conflicts.conflicted(proposal.id, judge.id)}


def scoring_refusal(live, judge, pitch_id):
    """Why the judge cannot score the pitch now (a message), or None."""
    pitch = current_pitch(live)
    if pitch is None or pitch.id != pitch_id or live.state != LiveState.SCORING_OPEN:
        if pitch is not None and pitch.id == pitch_id and live.state in (
                LiveState.SCORING_CLOSED, LiveState.REVEALED):
            return _l("Scoring for this pitch has closed: your score was not counted.")
        return _l("Scoring is not open for this pitch: your score was not counted.")
    if judge.id not in {user.id for user in live_judges(live)}:
        return _l("You are not a judge of this contest.")
    if judge.id in conflicted_judges(live, pitch.proposal, [judge]):
        return _l("You have a conflict of interest with this project: you do not score it.")
    return None


def receive_score(judge, live, pitch_id, key, values):
    """Store a judge's scores (criterion id -> Decimal) for the pitch on stage, once per
    idempotency `key`: a score sent again (a lost answer, a queue replayed) counts once.
    Returns True when it was new, False when the key had been received already."""
    key = (key or "").strip()[:64]
    if not key:
        raise DomainError(_l("The score came without its key: reload the page and send it "
                             "again."))
    seen = db.session.scalar(db.select(LiveReceipt.id).filter_by(
        session_id=live.id, judge_id=judge.id, key=key))
    if seen is not None:
        return False
    refusal = scoring_refusal(live, judge, pitch_id)
    if refusal is not None:
        raise DomainError(refusal)
    pitch = current_pitch(live)
    assignment = db.session.scalar(db.select(Assignment).filter_by(
        round_id=live.round_id, proposal_id=pitch.proposal_id, judge_id=judge.id))
    if assignment is None:
        (assignment,) = assign_judges(judge, pitch.proposal, [judge.id], live.round)
    save_review(judge, assignment, values, comment="", submit=True)
    db.session.add(LiveReceipt(session_id=live.id, pitch_id=pitch.id, judge_id=judge.id, key=key))
    _touch(live)
    db.session.flush()
    return True
