"""Rights granted per contest, and per theme within it: a theme chair's (主题负责人) grant."""
from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, Table, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class Permission:
    """What a grant may allow, one code per organizer task."""

    SCREEN = "screen"
    JUDGES = "judges"
    ASSIGN = "assign"
    RANKING = "ranking"
    AWARDS = "awards"
    PUBLISH = "publish"
    EXPORT = "export"
    SETTINGS = "settings"
    ALL = (SCREEN, JUDGES, ASSIGN, RANKING, AWARDS, PUBLISH, EXPORT, SETTINGS)
    # What a theme chair gets by default: the work of one theme, not the contest's publication
    # or settings (the "proposes its winners" is the awards permission, confirmed by
    # an organizer).
    THEME_CHAIR = (SCREEN, JUDGES, ASSIGN, RANKING, AWARDS, EXPORT)


grant_themes = Table(
    "contest_grant_themes", db.metadata,
    Column("grant_id", ForeignKey("contest_grants.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class ContestGrant(db.Model):
    """Rights of one account in one contest; with themes, only within those themes."""

    __tablename__ = "contest_grants"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # A list of Permission codes.
    permissions = mapped_column(JSON, nullable=False)
    # Explicit, so that a grant whose themes were all removed from the contest covers nothing
    # rather than everything.
    whole_contest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contest = relationship("Contest")
    user = relationship("User", foreign_keys=[user_id])
    themes = relationship("Theme", secondary=grant_themes, order_by="Theme.position")

    @property
    def theme_ids(self):
        """The themes the grant is limited to, or None for the whole contest."""
        if self.whole_contest:
            return None
        return frozenset(theme.id for theme in self.themes)
