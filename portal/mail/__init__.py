"""Email: rendered in the recipient's language and stored in the outbox table in the same
transaction as the action that caused it; a job delivers it once that transaction commits.

With `MAIL_SERVER` set, messages go to that SMTP server; otherwise each one is written as an
`.eml` file to `outbox/` in the instance folder, so every flow works offline.
"""
from portal.mail.bulk import bulk_writer, hand_unprepared_batches_to_queue, queue_bulk_email
from portal.mail.compose import queue_email
from portal.mail.delivery import deliver_messages, hand_due_mail_to_queue, outbox_path, \
    queue_delivery

__all__ = ["bulk_writer", "deliver_messages", "hand_unprepared_batches_to_queue",
           "queue_bulk_email", "hand_due_mail_to_queue", "outbox_path", "queue_delivery",
           "queue_email"]
