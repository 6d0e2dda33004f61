"""The periodic jobs, run by the consumer's scheduler (times in UTC); each calls the same
service as its `flask --app portal ...` command."""
import logging
from pathlib import Path

from flask import current_app
from huey import crontab

from portal.extensions import db
from portal.grants.reminders import send_report_reminders
from portal.jobs.queue import periodic_job, record_heartbeat
from portal.mail import hand_due_mail_to_queue, hand_unprepared_batches_to_queue
from portal.models import utcnow
from portal.ops.backup import create_backup
from portal.prepared.services import delete_expired_files, restart_stalled_files
from portal.privacy.personal_data import purge_expired
from portal.proposals.reminders import send_deadline_reminders
from portal.proposals.storage import sweep_temporary_files

log = logging.getLogger(__name__)


@periodic_job(crontab(minute="*"))
def deliver_due_mail():
    """Messages whose delivery job was lost (a crash before it was queued) or is due again;
    and the consumer's heartbeat, which the console's mail page reads."""
    now = utcnow()
    record_heartbeat(now)
    batches, handed = hand_unprepared_batches_to_queue(now), hand_due_mail_to_queue(now)
    if batches or handed:
        log.info("%d bulk send(s) and %d queued message(s) handed to the queue again",
                 batches, handed)


@periodic_job(crontab(minute="*"))
def restart_stalled_files_minutely():
    """Prepared files whose job was lost, or whose worker died mid-build, are built again."""
    restarted = restart_stalled_files(utcnow())
    if restarted:
        log.info("%d prepared file(s) handed to the queue again", restarted)


@periodic_job(crontab(minute="25"))
def delete_expired_files_hourly():
    log.info("%d expired prepared file(s) deleted", delete_expired_files(utcnow()))


@periodic_job(crontab(minute="5"))
def send_deadline_reminders_hourly():
    sent = send_deadline_reminders(utcnow())
    db.session.commit()
    log.info("%d deadline reminder(s) queued", sent)


@periodic_job(crontab(minute="10", hour="1"))    # 09:10 in Beijing
def send_report_reminders_daily():
    sent = send_report_reminders(utcnow())
    db.session.commit()
    log.info("%d grant report reminder(s) queued", sent)


@periodic_job(crontab(minute="20", hour="19"))   # 03:20 in Beijing
def purge_expired_daily():
    count = purge_expired(current_app.config["PORTAL_RETENTION_YEARS"])
    db.session.commit()
    log.info("%d proposal(s) anonymized or removed", count)


@periodic_job(crontab(minute="40", hour="19"))
def sweep_uploads_daily():
    log.info("%d temporary upload file(s) removed", sweep_temporary_files(3600))


@periodic_job(crontab(minute="0", hour="18"))    # 02:00 in Beijing
def backup_nightly():
    folder = Path(current_app.config["PORTAL_BACKUP_PATH"])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"portal-{utcnow():%Y%m%dT%H%M%S}.tar.gz"
    create_backup(target)
    removed = prune_backups(folder, current_app.config["PORTAL_BACKUP_KEEP"])
    log.info("backup written to %s; %d older backup(s) removed", target.name, removed)


def prune_backups(folder, keep):
    """Keep the newest `keep` nightly archives (their names sort by time)."""
    archives = sorted(folder.glob("portal-*.tar.gz"))
    stale = archives[:-keep] if keep > 0 else archives
    for archive in stale:
        archive.unlink()
    return len(stale)
