"""Assignments, reviews and scores."""
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


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
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    review = relationship("Review", back_populates="scores")
    criterion = relationship("Criterion")
