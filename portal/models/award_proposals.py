"""A theme chair's proposal of a theme's winners (评奖建议), for an organizer to confirm."""
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, one_of, utcnow


class AwardProposalState:
    DRAFT = "draft"            # the chair is writing it
    SUBMITTED = "submitted"    # waiting for an organizer
    CONFIRMED = "confirmed"    # an organizer applied it to the awards
    RETURNED = "returned"      # sent back with reasons; the chair edits and submits again
    ALL = (DRAFT, SUBMITTED, CONFIRMED, RETURNED)
    # A theme has at most one proposal in these states (a unique partial index).
    OPEN = (DRAFT, SUBMITTED, RETURNED)
    EDITABLE = (DRAFT, RETURNED)


OPEN_CONDITION = text(one_of("state", AwardProposalState.OPEN))


class AwardProposal(db.Model):
    """The winners a chair proposes for one theme: its lines (proposal, tier), the chair's
    note, and the organizer's decision."""

    __tablename__ = "award_proposals"
    __table_args__ = (
        CheckConstraint(one_of("state", AwardProposalState.ALL), name="state"),
        Index("uq_award_proposals_open_theme", "theme_id", unique=True,
              sqlite_where=OPEN_CONDITION, postgresql_where=OPEN_CONDITION),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default=AwardProposalState.DRAFT)
    # The chair's explanation, required when the proposal departs from the ranking.
    note: Mapped[str | None] = mapped_column(Text)
    # The organizer's reasons for the last return (kept for the chair while they edit).
    return_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    submitted_at = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    decided_at = mapped_column(UTCDateTime)

    contest = relationship("Contest")
    theme = relationship("Theme")
    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    lines = relationship("AwardProposalLine", cascade="all, delete-orphan",
                         order_by="AwardProposalLine.proposal_id")

    @property
    def authors(self):
        """The accounts that wrote or submitted it: none of them may confirm it."""
        return {self.created_by_id, self.submitted_by_id} - {None}


class AwardProposalLine(db.Model):
    """One proposed winner: a proposal of the theme and its tier."""

    __tablename__ = "award_proposal_lines"

    award_proposal_id: Mapped[int] = mapped_column(
        ForeignKey("award_proposals.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("award_tiers.id", ondelete="CASCADE"))

    proposal = relationship("Proposal")
    tier = relationship("AwardTier")
