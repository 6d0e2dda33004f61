"""`flask --app portal jobs`: the consumer that runs the queued and the periodic jobs."""
import click
from flask import current_app

from portal.jobs.queue import huey, serve_jobs_of
from portal.mail import hand_due_mail_to_queue, hand_unprepared_batches_to_queue
from portal.models import utcnow
from portal.ops import periodic  # noqa: F401  (registers the periodic jobs)


@click.command("jobs")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def jobs_command(workers):
    """Run the job consumer (mail delivery, long exports, the periodic jobs) until stopped."""
    if huey.immediate:
        raise click.ClickException("PORTAL_JOBS_IMMEDIATE is set: jobs run in the requests")
    serve_jobs_of(current_app._get_current_object())
    # Messages left by a consumer that was stopped are handed on at once, not at the next sweep.
    hand_unprepared_batches_to_queue(utcnow(), overdue_seconds=0)
    hand_due_mail_to_queue(utcnow(), overdue_seconds=0)
    # An idle worker looks at the queue at least twice a second (huey's default lets the wait
    # grow to 10 s, which a new account's confirmation mail would then wait too).
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                         check_worker_health=True, max_delay=0.5).run()
