"""After the award (项目跟踪): a grant per awarded proposal, its tranches, budget, milestones,
reports and budget changes. Money is integer fen (分): exact on SQLite and PostgreSQL alike."""
from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, \
    Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import StoredFileMixin, UTCDateTime, utcnow


class TrancheCondition:
    SIGNING = "signing"       # the signed agreement is on file
    MIDTERM = "midterm"       # the mid-term report (中期报告) was accepted
    FINAL = "final"           # the final report (结项报告) was accepted

    ALL = (SIGNING, MIDTERM, FINAL)


class ReportKind:
    MIDTERM = "midterm"
    FINAL = "final"
    MONTHLY = "monthly"

    ALL = (MIDTERM, FINAL, MONTHLY)


class ReportStatus:
    DUE = "due"               # not submitted yet (may be a saved draft)
    SUBMITTED = "submitted"
    RETURNED = "returned"     # sent back with reasons; the grantee edits and submits again
    ACCEPTED = "accepted"

    ALL = (DUE, SUBMITTED, RETURNED, ACCEPTED)
    # Spending reported in these counts as spent.
    COUNTED = (SUBMITTED, ACCEPTED)


class ChangeStatus:
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    ALL = (PENDING, APPROVED, REJECTED)


class Grant(db.Model):
    """The money given to one awarded proposal, under a signed agreement."""

    __tablename__ = "grants"
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    starts_on = mapped_column(Date, nullable=False)
    ends_on = mapped_column(Date, nullable=False)
    # The signed agreement, stored outside static/ like a proposal's attachments.
    agreement_name: Mapped[str | None] = mapped_column(String(255))
    agreement_stored: Mapped[str | None] = mapped_column(String(64), unique=True)
    agreement_kind: Mapped[str | None] = mapped_column(String(10))
    agreement_signed_at = mapped_column(UTCDateTime)
    # The grantee agrees that the public results page links to the project's progress.
    public_progress: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Milestones proposed by the grantee wait for the organizer's approval.
    milestones_approved: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contest = relationship("Contest")
    proposal = relationship("Proposal")
    tranches = relationship("Tranche", back_populates="grant", order_by="Tranche.position",
                            cascade="all, delete-orphan")
    lines = relationship("GrantLine", back_populates="grant", order_by="GrantLine.position",
                         cascade="all, delete-orphan")
    milestones = relationship("Milestone", back_populates="grant",
                              order_by="Milestone.position", cascade="all, delete-orphan")
    reports = relationship("GrantReport", back_populates="grant",
                           order_by="(GrantReport.due_on, GrantReport.id)",
                           cascade="all, delete-orphan")
    changes = relationship("BudgetChange", back_populates="grant", order_by="BudgetChange.id",
                           cascade="all, delete-orphan")


class Tranche(db.Model):
    """A part of the grant paid when its condition is met; released once."""

    __tablename__ = "grant_tranches"
    __table_args__ = (
        UniqueConstraint("grant_id", "position"),
        CheckConstraint("amount_fen >= 0", name="amount"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        CheckConstraint("condition IN ('signing', 'midterm', 'final')", name="condition"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(Integer)
    percent: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    condition: Mapped[str] = mapped_column(String(20), nullable=False)
    released_on = mapped_column(Date)
    release_reference: Mapped[str | None] = mapped_column(String(100))
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    grant = relationship("Grant", back_populates="tranches")

    @property
    def is_released(self):
        return self.released_on is not None


class GrantLine(db.Model):
    """A budget line of the grant, drafted from the proposal's budget: its planned amount."""

    __tablename__ = "grant_lines"
    __table_args__ = (UniqueConstraint("grant_id", "position"),
                      CheckConstraint("planned_fen >= 0", name="planned"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(200))
    planned_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)

    grant = relationship("Grant", back_populates="lines")


class Milestone(db.Model):
    """A step of the project's timeline, with the date it is due and the date it was reached."""

    __tablename__ = "grant_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    due_on = mapped_column(Date)
    reached_on = mapped_column(Date)

    grant = relationship("Grant", back_populates="milestones")


class GrantReport(db.Model):
    """A report due on a date: mid-term (中期报告), final (结项报告) or a monthly update."""

    __tablename__ = "grant_reports"
    __table_args__ = (
        CheckConstraint("beneficiaries_reached IS NULL OR beneficiaries_reached >= 0",
                        name="beneficiaries"),
        CheckConstraint("kind IN ('midterm', 'final', 'monthly')", name="kind"),
        CheckConstraint("status IN ('due', 'submitted', 'returned', 'accepted')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    due_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DUE, nullable=False,
                                        index=True)
    narrative: Mapped[str | None] = mapped_column(Text)
    beneficiaries_reached: Mapped[int | None] = mapped_column(Integer)
    problems: Mapped[str | None] = mapped_column(Text)
    submitted_at = mapped_column(UTCDateTime)
    # Submitted after its due date: accepted all the same, and shown as late.
    late: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    reviewed_at = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_reason: Mapped[str | None] = mapped_column(Text)
    # The last reminder sent: "before" the due date, then "after" it.
    reminded: Mapped[str | None] = mapped_column(String(10))
    # Bumped by every save: a stale tab cannot overwrite a newer edit.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    grant = relationship("Grant", back_populates="reports")
    spending = relationship("ReportSpending", back_populates="report",
                            cascade="all, delete-orphan")
    attachments = relationship("ReportAttachment", back_populates="report",
                               order_by="ReportAttachment.id", cascade="all, delete-orphan")
    evaluations = relationship("ReportEvaluation", back_populates="report",
                               order_by="ReportEvaluation.id", cascade="all, delete-orphan")


class ReportSpending(db.Model):
    """What a report says was spent on one budget line during its period."""

    __tablename__ = "grant_report_spending"
    __table_args__ = (UniqueConstraint("report_id", "line_id"),
                      CheckConstraint("spent_fen >= 0", name="spent"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("grant_reports.id", ondelete="CASCADE"),
                                           index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("grant_lines.id", ondelete="CASCADE"),
                                         index=True)
    spent_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)

    report = relationship("GrantReport", back_populates="spending")
    line = relationship("GrantLine")


class ReportAttachment(StoredFileMixin, db.Model):
    """A receipt or photo attached to a report, checked by content like a proposal's files."""

    __tablename__ = "grant_report_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("grant_reports.id", ondelete="CASCADE"),
                                           index=True)

    report = relationship("GrantReport", back_populates="attachments")


class BudgetChange(db.Model):
    """Moving money from one budget line to another; over the threshold it needs the
    organizer's approval before spending may pass the receiving line's plan."""

    __tablename__ = "grant_budget_changes"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount"),
        CheckConstraint("from_line_id <> to_line_id", name="two_lines"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"),
                                          index=True)
    from_line_id: Mapped[int] = mapped_column(ForeignKey("grant_lines.id", ondelete="CASCADE"))
    to_line_id: Mapped[int] = mapped_column(ForeignKey("grant_lines.id", ondelete="CASCADE"))
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ChangeStatus.PENDING, nullable=False)
    requested_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    decided_at = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    grant = relationship("Grant", back_populates="changes")
    from_line = relationship("GrantLine", foreign_keys=[from_line_id])
    to_line = relationship("GrantLine", foreign_keys=[to_line_id])


class ReportEvaluation(db.Model):
    """A judge's evaluation of a mid-term or final report, on the reports' own rubric
    (portal.grants.rubric): a score per criterion and a comment."""

    __tablename__ = "grant_report_evaluations"
    __table_args__ = (UniqueConstraint("report_id", "judge_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("grant_reports.id", ondelete="CASCADE"),
                                           index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    # criterion code -> whole score; empty until saved.
    scores = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    submitted_at = mapped_column(UTCDateTime)

    report = relationship("GrantReport", back_populates="evaluations")
    judge = relationship("User")
