"""A contest (one edition) and everything it owns: themes, entrant types, criteria, rounds, judges."""
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Column, ForeignKey, Integer, Numeric,
                        String, Table, Text, UniqueConstraint)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.extensions import db
from portal.models.base import BilingualMixin, UTCDateTime, one_of, utcnow


class ContestStatus:
    UPCOMING = "upcoming"
    OPEN = "open"
    JUDGING = "judging"
    ARCHIVED = "archived"


class ContestRules:
    """What a contest's fields say, shared by the model and its per-process snapshot
    (portal.contests.parts)."""

    def status_at(self, now):
        if self.archived:
            return ContestStatus.ARCHIVED
        if now < self.opens_at:
            return ContestStatus.UPCOMING
        if now < self.submission_deadline:
            return ContestStatus.OPEN
        return ContestStatus.JUDGING

    @property
    def status(self):
        return self.status_at(utcnow())

    def accepts_submissions_at(self, now):
        return self.status_at(now) == ContestStatus.OPEN

    @property
    def current_round(self):
        """The first round still open, else the last one."""
        for contest_round in self.rounds:
            if contest_round.closed_at is None:
                return contest_round
        return self.rounds[-1] if self.rounds else None


class Contest(ContestRules, BilingualMixin, db.Model):
    """One edition of a contest, e.g. the 2014 "志愿四方杯"."""

    __tablename__ = "contests"
    # Named rules the database keeps (ck_contests_<name>); migration 0012 added them.
    __table_args__ = (
        CheckConstraint("submission_deadline > opens_at", name="deadline_after_opening"),
        CheckConstraint("proposal_limit >= 1", name="proposal_limit"),
        CheckConstraint("objection_days >= 0", name="objection_days"),
        CheckConstraint("reference_counter >= 0", name="reference_counter"),
        CheckConstraint("ranking_boundary IS NULL OR ranking_boundary >= 1",
                        name="ranking_boundary"),
        CheckConstraint("funding_pool IS NULL OR funding_pool >= 0", name="funding_pool"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    organizer_zh: Mapped[str] = mapped_column(String(200))
    organizer_en: Mapped[str | None] = mapped_column(String(200))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    rules_zh: Mapped[str | None] = mapped_column(Text)
    rules_en: Mapped[str | None] = mapped_column(Text)
    faq_zh: Mapped[str | None] = mapped_column(Text)
    faq_en: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    opens_at = mapped_column(UTCDateTime, nullable=False)
    submission_deadline = mapped_column(UTCDateTime, nullable=False)
    results_at = mapped_column(UTCDateTime)
    proposal_limit: Mapped[int] = mapped_column(Integer, default=3)
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown on the public home page; a demo contest (`seed-demo`) is not until an organizer
    # ticks it on the settings page. Its own page stays reachable by its address.
    listed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    reference_prefix: Mapped[str] = mapped_column(String(32))
    # Last reference number handed out; bumped with an UPDATE so that numbers are never reused.
    reference_counter: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Bumped by every settings save: a form opened before another organizer's save is refused.
    settings_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Ranking: the official method, the tie-break order (criterion codes, "submitted_at") and the
    # boundary ("top N") at which statistically tied proposals are flagged.
    # scoring.DEFAULT_OFFICIAL (models stay free of the scoring package's numpy)
    ranking_method: Mapped[str] = mapped_column(String(20), default="bias_model",
                                                server_default="bias_model")
    tie_break = mapped_column(JSON)
    ranking_boundary: Mapped[int | None] = mapped_column(Integer)
    # Publication: the objection period (公示期) in days, the venture funding pool, and whether
    # applicants see the judges' feedback after finalization.
    objection_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    funding_pool: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    show_feedback_to_applicants: Mapped[bool] = mapped_column(Boolean, default=False,
                                                              server_default=sa_false())

    themes = relationship("Theme", back_populates="contest", order_by="Theme.position",
                          cascade="all, delete-orphan")
    entrant_types = relationship("EntrantType", back_populates="contest",
                                 order_by="EntrantType.position", cascade="all, delete-orphan")
    criteria = relationship("Criterion", back_populates="contest",
                            order_by="Criterion.position", cascade="all, delete-orphan")
    rounds = relationship("Round", back_populates="contest", order_by="Round.position",
                          cascade="all, delete-orphan")
    award_tiers = relationship("AwardTier", back_populates="contest",
                               order_by="AwardTier.position", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Contest {self.slug}>"


class ContestPart(BilingualMixin):
    """Columns shared by the parts a contest owns: themes, entrant types, criteria, rounds."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))

    @declared_attr
    def contest_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)

    # A part's own rules (check constraints), beside the unique code every part has.
    part_checks = ()

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("contest_id", "code"), *cls.part_checks)


class Theme(ContestPart, db.Model):
    """One of a contest's charity themes (安老, 抚孤, ...)."""

    __tablename__ = "themes"

    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)

    contest = relationship("Contest", back_populates="themes")


class EntrantType(ContestPart, db.Model):
    """Who may enter: a student club, an NGO, an individual..."""

    __tablename__ = "entrant_types"

    requires_organization: Mapped[bool] = mapped_column(Boolean, default=True)

    contest = relationship("Contest", back_populates="entrant_types")


# The codes of portal.rules.criteria.KINDS (the models sit below the rules, so the list is
# written twice; tests/test_criterion_kinds.py fails when they differ).
CRITERION_KINDS = ("scale", "yes_no")


class Criterion(ContestPart, db.Model):
    """A scoring criterion with its weight, scale and rubric."""

    __tablename__ = "criteria"
    part_checks = (
        CheckConstraint("weight > 0", name="weight"),
        CheckConstraint("scale_min < scale_max", name="scale"),
        CheckConstraint("scale_step > 0", name="scale_step"),
        CheckConstraint(one_of("kind", CRITERION_KINDS), name="kind"),
    )

    # What the score is (portal.rules.criteria): 'scale' (a number in steps), 'yes_no'.
    kind: Mapped[str] = mapped_column(String(20), default="scale", server_default="scale")
    rubric_zh: Mapped[str | None] = mapped_column(Text)
    rubric_en: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal(1))
    scale_min: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    scale_max: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(10))
    # 1 for whole numbers, 0.5 for halves...
    scale_step: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))

    contest = relationship("Contest", back_populates="criteria")


class RoundRules:
    """What a round's fields say, shared by the model and its snapshot."""

    @property
    def is_open(self):
        return self.closed_at is None


class Round(RoundRules, ContestPart, db.Model):
    """A judging round: 初审 (first round), 终审 (final round)."""

    __tablename__ = "rounds"
    part_checks = (
        CheckConstraint("opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at",
                        name="window"),
    )

    opens_at = mapped_column(UTCDateTime)
    closes_at = mapped_column(UTCDateTime)
    closed_at = mapped_column(UTCDateTime)

    contest = relationship("Contest", back_populates="rounds")


class AwardScope:
    OVERALL = "overall"
    PER_THEME = "per_theme"
    ALL = (OVERALL, PER_THEME)


class AwardTier(ContestPart, db.Model):
    """An award level (一等奖 ...) with how many are given, overall or per theme."""

    __tablename__ = "award_tiers"
    part_checks = (
        CheckConstraint("count >= 1", name="count"),
        CheckConstraint(one_of("scope", AwardScope.ALL), name="scope"),
        CheckConstraint("grant_amount IS NULL OR grant_amount >= 0", name="grant_amount"),
    )

    count: Mapped[int] = mapped_column(Integer, default=1)
    scope: Mapped[str] = mapped_column(String(20), default=AwardScope.OVERALL)
    # A grant in yuan; or, with grant_up_to_budget, the requested budget up to that amount.
    grant_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    grant_up_to_budget: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=sa_false())

    contest = relationship("Contest", back_populates="award_tiers")


judge_expertise = Table(
    "judge_expertise", db.metadata,
    Column("membership_id", ForeignKey("judge_memberships.id", ondelete="CASCADE"),
           primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class JudgeMembership(db.Model):
    """Being a judge belongs to one contest."""

    __tablename__ = "judge_memberships"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    contest = relationship("Contest")
    user = relationship("User")
    expertise = relationship("Theme", secondary=judge_expertise, order_by="Theme.position")


class InvitationRole:
    JUDGE = "judge"
    ORGANIZER = "organizer"
    # A theme chair (主题负责人): the invitation's theme codes are the themes chaired.
    CHAIR = "chair"
    ALL = (JUDGE, ORGANIZER, CHAIR)


class Invitation(db.Model):
    """An invitation for an email address to judge a contest, or to join the organizers;
    single use, expiring."""

    __tablename__ = "invitations"
    # A judge or a theme chair serves one contest; organizers are staff across all contests.
    __table_args__ = (
        CheckConstraint(one_of("role", InvitationRole.ALL), name="role"),
        CheckConstraint("(role IN ('judge', 'chair') AND contest_id IS NOT NULL) "
                        "OR (role = 'organizer' AND contest_id IS NULL)", name="contest_of_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default=InvitationRole.JUDGE,
                                      server_default=InvitationRole.JUDGE)
    # None for an organizer invitation: organizers are staff across all contests.
    contest_id: Mapped[int | None] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str | None] = mapped_column(String(100))
    organization: Mapped[str | None] = mapped_column(String(200))
    # Theme codes of the judge's expertise, applied when the invitation is accepted.
    theme_codes = mapped_column(JSON)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    accepted_at = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at = mapped_column(UTCDateTime)
    # None while it waits to be sent (last edition's judges, brought by a copy of the contest).
    sent_at = mapped_column(UTCDateTime)

    contest = relationship("Contest")
    creator = relationship("User", foreign_keys=[created_by_id])

    def usable_at(self, now):
        return (self.accepted_at is None and self.revoked_at is None
                and self.sent_at is not None and now < self.expires_at)


class SiteSettings(db.Model):
    """Settings of the whole site, one row (id 1), edited by organizers."""

    __tablename__ = "site_settings"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_name_zh: Mapped[str | None] = mapped_column(String(100))
    site_name_en: Mapped[str | None] = mapped_column(String(100))
    footer_text: Mapped[str | None] = mapped_column(Text)
    # The ICP filing number a site hosted in mainland China must show (e.g. 豫ICP备12345678号).
    icp_number: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(200))
    organizers_require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False,
                                                                server_default=sa_false())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
