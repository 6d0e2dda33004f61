"""Assignments, reviews and scores."""
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    JSON,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, one_of, utcnow


class Assignment(db.Model):
    """A judge asked to review a proposal in a round."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("round_id", "proposal_id", "judge_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round = relationship("Round")
    proposal = relationship("Proposal")
    judge = relationship("User", foreign_keys=[judge_id])
    review = relationship("Review", back_populates="assignment", uselist=False,
                          cascade="all, delete-orphan")


class Review(db.Model):
    """One judge's scores on every criterion and comment for one assignment."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), unique=True)
    comment: Mapped[str | None] = mapped_column(Text)
    # Optional feedback the applicant may read after the results are final (without judge names).
    feedback: Mapped[str | None] = mapped_column(Text)
    submitted_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    assignment = relationship("Assignment", back_populates="review")
    scores = relationship("Score", back_populates="review", cascade="all, delete-orphan")

    def score_for(self, criterion_id):
        for score in self.scores:
            if score.criterion_id == criterion_id:
                return score.value
        return None


class Score(db.Model):
    """One judge's score for one proposal on one criterion."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           index=True)
    # Indexed for the database's check that a criterion's scale keeps its scores (0019).
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"),
                                              index=True)
    # Within the criterion's scale: kept by triggers (migration 0019_score_scale), as the rule
    # spans two tables.
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    review = relationship("Review", back_populates="scores")
    criterion = relationship("Criterion")


class ConflictKind:
    DECLARED_PROPOSAL = "declared_proposal"          # a judge recused from one proposal
    DECLARED_ORGANIZATION = "declared_organization"  # a judge named an organization
    ORGANIZER = "organizer"                          # added by an organizer
    WAIVER = "waiver"                                # an organizer lifted an automatic conflict
    ALL = (DECLARED_PROPOSAL, DECLARED_ORGANIZATION, ORGANIZER, WAIVER)


class Conflict(db.Model):
    """A recorded conflict of interest (or the waiver of an automatic one), with its reason."""

    __tablename__ = "conflicts"
    __table_args__ = (
        CheckConstraint(one_of("kind", ConflictKind.ALL), name="kind"),
        # An organization declared, or a proposal named (the other kinds).
        CheckConstraint("(kind = 'declared_organization' AND organization IS NOT NULL) "
                        "OR (kind <> 'declared_organization' AND proposal_id IS NOT NULL)",
                        name="target"),
        # One of each kind per judge and proposal (add_conflict and the waiver rely on it).
        UniqueConstraint("judge_id", "proposal_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    organization: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    judge = relationship("User", foreign_keys=[judge_id])
    proposal = relationship("Proposal")


class RankingSnapshot(db.Model):
    """The slow part of a round's ranking (the bootstrap), kept until a score changes."""

    __tablename__ = "ranking_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          unique=True)
    # A digest of every score and setting it was computed from: a change makes it stale.
    fingerprint: Mapped[str] = mapped_column(String(64))
    computed_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    payload = mapped_column(JSON)


class RankingGeneration(db.Model):
    """A row per named counter (`portal.generations`): row 1 the ranking's inputs, row 2 the
    contests' parts. Every transaction changing what a counter covers raises it as it commits;
    something computed at value N is still current while the counter reads N."""

    __tablename__ = "ranking_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)


class Award(db.Model):
    """An award decision: a proposal, its tier and grant, who decided, when and why."""

    __tablename__ = "awards"
    __table_args__ = (CheckConstraint('"grant" IS NULL OR "grant" >= 0', name="grant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             unique=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("award_tiers.id", ondelete="CASCADE"))
    grant: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # Set when an organizer moved the proposal away from what the ranking gave it.
    override_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    proposal = relationship("Proposal")
    tier = relationship("AwardTier")


class PublicationStage:
    PROVISIONAL = "provisional"   # 公示: objections may be filed
    FINAL = "final"               # locked
    ALL = (PROVISIONAL, FINAL)


class Publication(db.Model):
    """A contest's results as published: provisional for the objection period, then final."""

    __tablename__ = "publications"
    __table_args__ = (CheckConstraint(one_of("stage", PublicationStage.ALL), name="stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            unique=True)
    stage: Mapped[str] = mapped_column(String(20))
    published_at = mapped_column(UTCDateTime, nullable=False)
    objections_until = mapped_column(UTCDateTime)
    finalized_at = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    # What was published, frozen: tiers, winners and the fields applicants agreed to show.
    snapshot = mapped_column(JSON)


class Objection(db.Model):
    """An objection (异议) filed during the objection period, and the organizers' answer."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id",
                                                               ondelete="SET NULL"))
    name: Mapped[str | None] = mapped_column(String(100))
    contact_email: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    locale: Mapped[str | None] = mapped_column(String(10))

    proposal = relationship("Proposal")
