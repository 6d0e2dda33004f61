"""Files prepared by a job (a large contest's export, its certificates), downloaded when ready
by whoever asked for them, and deleted by the scheduler when they expire."""
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class FileStatus:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    FINISHED = (DONE, FAILED)


class PreparedFile(db.Model):
    """One file asked for by an organizer. `kind` names its builder (portal.prepared.builders),
    `arguments` what it is given (JSON). A running job holds `lease_until` and renews it with
    each progress step: a file still running past its lease lost its worker and is built again.
    `path` is relative to the instance folder."""

    __tablename__ = "prepared_files"
    __table_args__ = (Index("ix_prepared_files_status_lease", "status", "lease_until"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                 index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(40))
    arguments = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(10), default=FileStatus.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)      # percent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))      # the download's name
    path: Mapped[str | None] = mapped_column(String(255))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    lease_until = mapped_column(UTCDateTime)
    finished_at = mapped_column(UTCDateTime)
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)

    contest = relationship("Contest")

    @property
    def finished(self):
        return self.status in FileStatus.FINISHED
