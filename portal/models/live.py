"""Pitch day (路演): a round's live session, running order, undo log and score receipts."""
from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, \
    UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class LiveState:
    WAITING = "waiting"              # between pitches
    PRESENTING = "presenting"
    QA = "qa"
    SCORING_OPEN = "scoring_open"
    SCORING_CLOSED = "scoring_closed"
    REVEALED = "revealed"            # the pitch's scores are on the screen
    RANKING = "ranking"              # the final ranking, revealed from the bottom up
    ALL = (WAITING, PRESENTING, QA, SCORING_OPEN, SCORING_CLOSED, REVEALED, RANKING)


class LiveRule:
    MEAN = "mean"
    TRIMMED = "trimmed"
    OFFICIAL = "official"            # the contest's ranking method
    ALL = (MEAN, TRIMMED, OFFICIAL)


class PitchStatus:
    PENDING = "pending"
    CURRENT = "current"
    DONE = "done"
    NO_SHOW = "no_show"
    SKIPPED = "skipped"
    ALL = (PENDING, CURRENT, DONE, NO_SHOW, SKIPPED)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class LiveSession(db.Model):
    """The live final of one round. `version` is raised by every host action, which names the
    version it saw (compare-and-set: of two hosts acting at once, one wins); `activity` is
    raised by scores and reminders. Both make the pages' ETag."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        CheckConstraint(_in("state", LiveState.ALL), name="state_known"),
        CheckConstraint(_in("rule", LiveRule.ALL), name="rule_known"),
        CheckConstraint("present_seconds > 0 AND qa_seconds > 0", name="times_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          unique=True)
    state: Mapped[str] = mapped_column(String(20), default=LiveState.WAITING)
    version: Mapped[int] = mapped_column(Integer, default=1)
    activity: Mapped[int] = mapped_column(Integer, default=0)
    # The pitch on stage (no foreign key: pitches point at the session already).
    current_pitch_id: Mapped[int | None] = mapped_column(Integer)
    present_seconds: Mapped[int] = mapped_column(Integer, default=300)
    qa_seconds: Mapped[int] = mapped_column(Integer, default=180)
    # The timer: seconds run before the last start, and when it last started (None: paused).
    timer_elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    timer_started_at = mapped_column(UTCDateTime)
    rule: Mapped[str] = mapped_column(String(20), default=LiveRule.TRIMMED)
    # On the screens, each judge's score by the judge's code (J001), or without any name.
    show_judge_codes: Mapped[bool] = mapped_column(Boolean, default=True)
    audience_public: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=sa_false())
    # The secret of the big screen's link.
    screen_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Groups of the final ranking shown so far (from the bottom).
    final_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contest = relationship("Contest")
    round = relationship("Round")
    pitches = relationship("LivePitch", back_populates="session", order_by="LivePitch.position",
                           cascade="all, delete-orphan")


class LivePitch(db.Model):
    """One finalist's place in the running order."""

    __tablename__ = "live_pitches"
    __table_args__ = (UniqueConstraint("session_id", "proposal_id"),
                      CheckConstraint(_in("status", PitchStatus.ALL), name="status_known"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"),
                                            index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=PitchStatus.PENDING)
    # Judges (user ids) the host reminded to score this pitch.
    reminded = mapped_column(JSON)
    revealed_at = mapped_column(UTCDateTime)

    session = relationship("LiveSession", back_populates="pitches")
    proposal = relationship("Proposal")


class LiveStep(db.Model):
    """A host action, with what it changed, so that the last one can be undone."""

    __tablename__ = "live_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"),
                                            index=True)
    action: Mapped[str] = mapped_column(String(30))
    # The session's and the pitches' state before the action.
    before = mapped_column(JSON, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    undone_at = mapped_column(UTCDateTime)
    undo_reason: Mapped[str | None] = mapped_column(Text)


class LiveReceipt(db.Model):
    """A judge's score as received: its idempotency key makes a score sent twice count once."""

    __tablename__ = "live_receipts"
    __table_args__ = (UniqueConstraint("session_id", "judge_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"),
                                            index=True)
    pitch_id: Mapped[int] = mapped_column(ForeignKey("live_pitches.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    received_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
