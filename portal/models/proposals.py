"""Proposals and their history."""
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, \
    Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import StoredFileMixin, UTCDateTime, one_of, utcnow


class ProposalStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    ADVANCED = "advanced"
    AWARDED = "awarded"
    # 退回补正: sent back to the applicant to correct and resubmit by a date.
    RETURNED = "returned"

    ALL = (DRAFT, SUBMITTED, RETURNED, WITHDRAWN, ELIGIBLE, INELIGIBLE, ADVANCED, AWARDED)
    # States in which a proposal takes part in judging and the ranking.
    IN_COMPETITION = (SUBMITTED, ELIGIBLE, ADVANCED, AWARDED)


class Proposal(db.Model):
    """A charity project proposal: one contest, one theme, one applicant."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("contest_id", "reference"),
        # Covers the dashboard's and the proposal table's counts (by status, theme, entrant type
        # and day) without reading the proposals' long texts.
        Index("ix_proposals_contest_figures", "contest_id", "status", "theme_id",
              "entrant_type_id", "submitted_at"),
        CheckConstraint(one_of("status", ProposalStatus.ALL), name="status"),
        CheckConstraint("beneficiary_count IS NULL OR beneficiary_count >= 0",
                        name="beneficiary_count"),
        CheckConstraint("budget_total IS NULL OR budget_total >= 0", name="budget_total"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    # Nullable so that an erased account can leave its judged proposals behind, anonymized.
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                     index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    entrant_type_id: Mapped[int | None] = mapped_column(ForeignKey("entrant_types.id"))
    organization: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.DRAFT, index=True)
    reference: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    need: Mapped[str | None] = mapped_column(Text)
    beneficiaries: Mapped[str | None] = mapped_column(Text)
    beneficiary_count: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[str | None] = mapped_column(Text)
    # The sum of the budget lines, kept for sorting and exports.
    budget_total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    outcomes: Mapped[str | None] = mapped_column(Text)
    innovation: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    sustainability: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # "If awarded, the title, organization and summary may be published."
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reason the applicant sees for the current status (e.g. why it is ineligible).
    status_note: Mapped[str | None] = mapped_column(Text)
    # When returned for correction: the applicant may edit and resubmit until then.
    correction_until = mapped_column(UTCDateTime)
    # The one-time token of the form that created it: a double submit creates one proposal.
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    submitted_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    # Optimistic locking: a stale tab cannot overwrite a newer edit.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    contest = relationship("Contest")
    applicant = relationship("User")
    theme = relationship("Theme")
    entrant_type = relationship("EntrantType")
    events = relationship("ProposalEvent", back_populates="proposal",
                          order_by="ProposalEvent.id", cascade="all, delete-orphan")
    budget_lines = relationship("BudgetLine", back_populates="proposal",
                                order_by="BudgetLine.position", cascade="all, delete-orphan")
    attachments = relationship("Attachment", back_populates="proposal",
                               order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def is_draft(self):
        return self.status == ProposalStatus.DRAFT

    def __repr__(self):
        return f"<Proposal {self.id} {self.status}>"


class ProposalEvent(db.Model):
    """One step in a proposal's history: a change of status, by whom, why."""

    __tablename__ = "proposal_events"
    # The proposal table looks for pending withdrawal requests by action (migration 0023).
    __table_args__ = (Index("ix_proposal_events_action", "action", "proposal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    proposal = relationship("Proposal", back_populates="events")


class BudgetLine(db.Model):
    """One line of a proposal's budget: item, amount in yuan, note."""

    __tablename__ = "budget_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(String(500))

    proposal = relationship("Proposal", back_populates="budget_lines")


class Attachment(StoredFileMixin, db.Model):
    """A file attached to a proposal, stored outside `static/` under a random name."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size >= 0", name="size"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             index=True)

    proposal = relationship("Proposal", back_populates="attachments")
