"""`flask --app portal ...` commands; each calls the same services as the views."""
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from flask_migrate import upgrade

from portal.accounts import services as accounts
from portal.accounts.passwords import is_common
from portal.certificates.printing import write_certificates
from portal.contests.loader import ContestFileError, parse_contest, store_contest
from portal.errors import DomainError
from portal.exports import services as exports
from portal.extensions import db
from portal.grants.reminders import send_report_reminders
from portal.judging.reminders import send_judge_reminders
from portal.judging.services import invite_judge
from portal.models import Contest, utcnow
from portal.privacy.personal_data import purge_expired
from portal.proposals.reminders import send_deadline_reminders
from portal.proposals.storage import sweep_temporary_files
from portal.validation import PASSWORD_MAX, PASSWORD_MIN
from portal.web import external_url


def _fail(message):
    db.session.rollback()
    raise click.ClickException(str(message))


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--organizer", is_flag=True, help="Make the account an organizer.")
@click.option("--password", help="Prompted for when absent.")
@click.option("--name", "display_name", help="The name shown in the portal.")
def create_user_command(email, organizer, password, display_name):
    """Create an account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        _fail(f"the password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long")
    if is_common(password):
        _fail("the password is on the list of the 10,000 most common passwords: choose another")
    try:
        user = accounts.create_user(email, password, display_name=display_name,
                                    organizer=organizer)
    except (DomainError, ValueError) as error:
        _fail(getattr(error, "message", error))
    db.session.commit()
    click.echo(f"created {'organizer' if organizer else 'user'} {user.email}")


@click.command("ensure-organizer")
def ensure_organizer_command():
    """Make sure an organizer exists (PORTAL_ADMIN_EMAIL / PORTAL_ADMIN_PASSWORD, or generated)."""
    config = current_app.config
    try:
        user, generated = accounts.ensure_organizer(config.get("PORTAL_ADMIN_EMAIL"),
                                                    config.get("PORTAL_ADMIN_PASSWORD"))
    except (DomainError, ValueError) as error:
        _fail(getattr(error, "message", error))
    db.session.commit()
    if generated:
        click.echo(f"Organizer account created: {user.email}")
        click.echo(f"Its password (shown only this once): {generated}")
    else:
        click.echo(f"Organizer account: {user.email}")


@click.command("load-contest")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--update", is_flag=True, help="Change the existing contest with this slug.")
@click.option("--skip-existing", is_flag=True,
              help="Do nothing, successfully, when the contest is already there.")
def load_contest_command(path, update, skip_existing):
    """Load a contest from a YAML file (docs/contest-file.md)."""
    try:
        parsed = parse_contest(path.read_text(encoding="utf-8"), utcnow())
        slug = parsed["contest"]["slug"]
        if skip_existing and db.session.scalar(db.select(Contest.id).filter_by(slug=slug)):
            click.echo(f"contest {slug} is already loaded")
            return
        contest, created = store_contest(parsed, update=update)
    except ContestFileError as error:
        _fail(f"{path}: {error}")
    db.session.commit()
    click.echo(f"{'loaded' if created else 'updated'} contest {contest.slug}")


@click.command("prepare")
@click.argument("seed_contest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def prepare_command(ctx, seed_contest):
    """Make the instance ready to serve: migrate the database, load SEED_CONTEST unless it is
    there, make sure an organizer exists. What `make run` does first, in one process (each
    `flask` command pays the app's start-up again)."""
    upgrade()
    ctx.invoke(load_contest_command, path=seed_contest, update=False, skip_existing=True)
    ctx.invoke(ensure_organizer_command)


@click.command("contests")
def contests_command():
    """List contests: slug, status and name, tab-separated."""
    for contest in db.session.scalars(db.select(Contest).order_by(Contest.opens_at)):
        click.echo(f"{contest.slug}\t{contest.status}\t{contest.name_zh}")


@click.command("invite-judge")
@click.option("--contest", "slug", required=True)
@click.option("--email", required=True)
def invite_judge_command(slug, email):
    """Invite a judge to a contest and print the invitation link."""
    contest = db.session.scalar(db.select(Contest).filter_by(slug=slug))
    if contest is None:
        _fail(f"no contest with slug {slug}")
    try:
        _invitation, token = invite_judge(None, contest, email)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(external_url("judging.accept_invitation", token=token))


@click.command("send-deadline-reminders")
def send_deadline_reminders_command():
    """Email applicants holding drafts 48 hours before a deadline (each reminder once)."""
    sent = send_deadline_reminders(utcnow())
    db.session.commit()
    click.echo(f"{sent} reminder(s) sent")


@click.command("send-report-reminders")
def send_report_reminders_command():
    """Email grantees a week before a report is due, and once after it is overdue."""
    sent = send_report_reminders(utcnow())
    db.session.commit()
    click.echo(f"{sent} reminder(s) sent")


@click.command("remind-judges")
@click.option("--contest", "slug", required=True)
def remind_judges_command(slug):
    """Email judges with unscored proposals in an open round (each at most once a day)."""
    contest = db.session.scalar(db.select(Contest).filter_by(slug=slug))
    if contest is None:
        _fail(f"no contest with slug {slug}")
    sent, skipped = send_judge_reminders(None, contest, utcnow())
    db.session.commit()
    click.echo(f"{sent} judge(s) reminded; {skipped} already reminded today")


@click.command("purge-expired")
def purge_expired_command():
    """Anonymize personal data of contests ended longer ago than the retention period."""
    count = purge_expired(current_app.config["PORTAL_RETENTION_YEARS"])
    db.session.commit()
    click.echo(f"{count} proposal(s) anonymized or removed")


@click.command("sweep-uploads")
@click.option("--older-than", default=3600, show_default=True, help="Seconds.")
def sweep_uploads_command(older_than):
    """Remove temporary files left by interrupted uploads."""
    click.echo(f"{sweep_temporary_files(older_than)} temporary file(s) removed")


def _write_file(contest, kind, options, out):
    """Any download of the exports page by its kind: a FORMATS key or one of PRINTS."""
    if kind == "award-list":
        return exports.write_award_list(contest, out)
    if kind == "certificates":
        return write_certificates(None, contest, out)
    return exports.write_export(None, contest, kind, options, out)


@click.command("export")
@click.option("--contest", "slug", required=True)
@click.option("--format", "kind", required=True,
              type=click.Choice([*exports.FORMATS, *exports.PRINTS]),
              help="csv (the ranking), xlsx or zip (every sheet), award-list or certificates "
                   "(PDF).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--round", "round_code", help="A round's code; the current round by default.")
@click.option("--judge-names", is_flag=True, help="Name the judges, not only their codes.")
@click.option("--comments", is_flag=True, help="Include the judges' comments.")
@click.option("--locale", default="zh_CN", show_default=True, type=click.Choice(["zh_CN", "en"]),
              help="The language of headers and labels.")
def export_command(slug, kind, out, round_code, judge_names, comments, locale):
    """Write what a download button of the exports page gives, into the file --out."""
    contest = db.session.scalar(db.select(Contest).filter_by(slug=slug))
    if contest is None:
        _fail(f"no contest with slug {slug}")
    partial = out.with_name(out.name + ".part")
    with force_locale(locale):
        try:
            options = exports.ExportOptions(exports.find_round(contest, round_code),
                                            judge_names=judge_names, comments=comments)
            with open(partial, "wb") as handle:
                _write_file(contest, kind, options, handle)
        except DomainError as error:
            partial.unlink(missing_ok=True)
            _fail(error.message)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(out)
    db.session.commit()
    click.echo(f"wrote {out}")


def register_commands(app):
    for command in (create_user_command, ensure_organizer_command, load_contest_command,
                    prepare_command, contests_command, invite_judge_command, send_deadline_reminders_command,
                    remind_judges_command, send_report_reminders_command,
                    purge_expired_command, sweep_uploads_command, export_command):
        app.cli.add_command(command)
