"""Certificates for winners and named team members, each with a number anyone can verify."""
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class Certificate(db.Model):
    """One printed certificate. It keeps the proposal and tier it was issued for, so that its
    verification page goes on saying what the paper says even if the award changes later
    (the organizers then revoke it and print a new one)."""

    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_award_holder", "award_id", "holder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random, never sequential: see portal.certificates.numbers.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("award_tiers.id", ondelete="CASCADE"))
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="SET NULL"))
    # None: the winner as named on the award list; else a team member's name.
    holder: Mapped[str | None] = mapped_column(String(80))
    issued_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    contest = relationship("Contest")
    proposal = relationship("Proposal")
    tier = relationship("AwardTier")
    award = relationship("Award")

    @property
    def is_revoked(self):
        return self.revoked_at is not None
