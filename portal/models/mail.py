"""Email: the outbox (every email, stored with the action that caused it and delivered by a
job) and the organizers' own wording of the portal's emails, per kind and language."""
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, \
    UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, one_of, utcnow


class MailTemplate(db.Model):
    """Replaces the built-in text of one kind of email in one language; deleting it brings the
    built-in text back. `subject` empty keeps the built-in subject."""

    __tablename__ = "mail_templates"
    __table_args__ = (UniqueConstraint("kind", "locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MailStatus:
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    ALL = (QUEUED, SENT, FAILED)


class OutboxMessage(db.Model):
    """One message to one recipient. `next_attempt_at` is both the retry time and the lease
    a delivery job takes before sending, so that two jobs never send the same message at once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        CheckConstraint(one_of("status", MailStatus.ALL), name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The messages queued by one action (a publication's, an announcement's) share a batch.
    batch: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    sent_at = mapped_column(UTCDateTime)


class MailBatch(db.Model):
    """A bulk send (a publication's, an announcement's), stored with the action; a job writes
    its messages, one per recipient, off the request. `kind` names the function that does
    (portal.mail.bulk), `arguments` what it is given."""

    __tablename__ = "mail_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    arguments = mapped_column(JSON, nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Set with the messages, in their transaction: a batch is prepared once or not at all.
    prepared_at = mapped_column(UTCDateTime)
    messages_batch: Mapped[str | None] = mapped_column(String(32))
