"""Deadline surge: concurrent applicants register and submit with a 1 MB attachment.

    python bench/surge.py --database sqlite --users 200
    python bench/surge.py --database postgresql --users 200 --kill-every 5

Starts gunicorn on a fresh database (SQLite in a temporary instance, or a fresh PostgreSQL
database on TEST_DATABASE_URL's server), runs the applicants' journeys concurrently (optionally
killing a worker with SIGKILL every N seconds: clients retry with the same form token), then
checks that every acknowledged submission is stored with its file and a matching checksum,
that nothing is duplicated or half-stored, (SQLite) that `PRAGMA integrity_check` is ok, and
that every stored action's email (confirmation link, receipt) reached the outbox.
Rate limiting is on, as in production: each applicant comes from an address of its own,
reported by X-Forwarded-For from a trusted proxy's address (the client's).
Exits non-zero when a check fails (a lost email in a run that kills workers only with
--strict-mail). Prints latencies per step as JSON.
"""
import argparse
from email import policy as _email_policy
from email.parser import BytesParser
import concurrent.futures
import hashlib
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadlib import (FORM_TOKEN_RE, Client, Gunicorn, log, percentiles,  # noqa: E402
                     portal_env, prepare)

default_policy = _email_policy.default
PASSWORD = "surge test password"
REFERENCE_RE = re.compile(r"ZZCF-2014-\d{4,}")
CONFIRM_RE = re.compile(r"(/confirm/[A-Za-z0-9._-]+)")
PROPOSAL_FIELDS = {
    "title": "社区空巢老人关爱行动", "summary": "为空巢老人提供每周探访。", "need": "120 位独居老人。",
    "beneficiaries": "独居老人", "beneficiary_count": "120", "plan": "全年每周探访。",
    "outcomes": "每位老人每月四次探访。", "innovation": "大学生与社区医生结对。",
    "team": "社工师两名，志愿者二十名。", "sustainability": "与街道长期合作。",
    "contact_name": "王芳", "contact_phone": "13912345678", "contact_email": "",
    "budget_lines-0-item": "交通补贴", "budget_lines-0-amount": "20000",
    "budget_lines-0-note": "",
}


def outbox_messages(outbox):
    """Every message in the outbox: (recipient, subject, plain text)."""
    messages = []
    for path in sorted(outbox.glob("*.eml")):
        message = BytesParser(policy=default_policy).parsebytes(path.read_bytes())
        messages.append((str(message["To"]), str(message["Subject"]),
                         message.get_body(preferencelist=("plain",)).get_content()))
    return messages


def confirmation_link(outbox, email, timeout=30):
    """The newest confirmation link sent to `email`, or None when none came within `timeout`."""
    deadline = time.time() + timeout
    needle = f"To: {email}".encode()
    while time.time() < deadline:
        for path in sorted(outbox.glob("*.eml"), reverse=True):
            content = path.read_bytes()
            if needle in content:
                message = BytesParser(policy=default_policy).parsebytes(content)
                text = message.get_body(preferencelist=("plain",)).get_content()
                match = CONFIRM_RE.search(text)
                if match:
                    return match.group(1)
        time.sleep(0.2)
    return None


def client_address(number):
    """Applicant `number`'s own address, as the proxy in front of the portal reports it."""
    return f"198.18.{number // 250}.{number % 250 + 1}"


def log_in(client, email):
    form = client.page("login_form", "/login")
    client.request("login", "/login", {"csrf_token": client.csrf(form), "email": email,
                                       "password": PASSWORD})


def sign_up(client, outbox, email, number, mail_wait=30):
    """Register, confirm, log in, fill in the profile. A confirmation email that never comes is
    asked for again once logged in, as a person would; returns whether the first one came."""
    form = client.page("register_form", "/register")
    client.request("register", "/register", {
        "csrf_token": client.csrf(form), "email": email, "display_name": f"申报人{number}",
        "password": PASSWORD, "confirm": PASSWORD, "consent": "y"})
    link = confirmation_link(outbox, email, mail_wait)
    first_came = link is not None
    log_in(client, email)
    if link is None:
        page = client.page("account", "/my/proposals")
        client.request("resend_confirmation", "/confirm", {"csrf_token": client.csrf(page)})
        link = confirmation_link(outbox, email, mail_wait)
        if link is None:
            raise RuntimeError(f"no confirmation email for {email}, even when asked again")
    client.request("confirm", link)
    form = client.page("profile_form", "/profile")
    client.request("profile", "/profile", {
        "csrf_token": client.csrf(form), "display_name": f"申报人{number}",
        "entrant_type_code": "ngo", "organization": f"公益组织{number}",
        "contact_name": "王芳", "phone": "13912345678"})
    return first_came


def new_draft_form(client, email):
    """The new-proposal form's page and the complete data to post it with."""
    form = client.page("proposal_form", "/contests/zzcf-2014/proposals/new")
    theme = re.search(r'<option value="([1-9]\d*)">', form).group(1)
    return dict(PROPOSAL_FIELDS, csrf_token=client.csrf(form), theme_id=theme,
                form_token=FORM_TOKEN_RE.search(form).group(1), contact_email=email)


def proposal_path(location):
    """/proposals/<id> from a redirect's Location."""
    path = location.split("://", 1)[-1]
    return path[path.index("/proposals/"):]


def pdf_content(seed):
    return b"%PDF-1.4\n" + random.Random(seed).randbytes(1024 * 1024)


def applicant_journey(base, outbox, number, run, timings):
    """Register, confirm, profile, draft, upload, submit; returns what was acknowledged."""
    client = Client(base, timings, forwarded_for=client_address(number))
    email = applicant_email(number, run)
    first_confirmation_came = sign_up(client, outbox, email, number)
    _status, _body, location = client.request("create", "/contests/zzcf-2014/proposals/new",
                                              new_draft_form(client, email))
    path = proposal_path(location)
    content = pdf_content(number)
    page = client.page("proposal_page", path)
    client.request("upload", path + "/attachments", {"csrf_token": client.csrf(page)},
                   files={"file": ("计划书.pdf", content)})
    client.request("submit", path + "/submit", {"csrf_token": client.csrf(page)})
    receipt = client.page("receipt", path)
    reference = REFERENCE_RE.search(receipt)
    return {"email": email, "reference": reference.group(0) if reference else None,
            "sha256": hashlib.sha256(content).hexdigest(), "retries": client.errors,
            "error_kinds": client.error_kinds, "confirmation_lost": not first_confirmation_came}


def applicant_email(number, run):
    return f"u{number}-{run}@surge.example.org"


def database_url(kind, instance):
    if kind == "sqlite":
        return f"sqlite:///{instance / 'portal.sqlite3'}", None
    import psycopg
    server = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"portal_surge_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = server.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}", (server, name)


def drop_database(created):
    if created:
        import psycopg
        server, name = created
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def verify(env, results, emails):
    """Every acknowledged submission stored with its file; no duplicates; integrity. Also the
    emails that committed actions owe (see `expected_mails`)."""
    os.environ.update({key: env[key] for key in ("PORTAL_INSTANCE_PATH", "DATABASE_URL",
                                                 "SECRET_KEY")})
    from portal import create_app
    from portal.extensions import db
    from portal.models import Attachment, Proposal, User
    from portal.proposals.storage import stored_path

    problems = []
    app = create_app()
    with app.app_context():
        for result in results:
            user = db.session.scalar(db.select(User).filter_by(email=result["email"]))
            proposals = db.session.scalars(db.select(Proposal).filter_by(
                applicant_id=user.id)).all() if user else []
            if len(proposals) > 1:
                problems.append(f"{result['email']}: {len(proposals)} proposals")
            if result["reference"] is None:
                continue
            stored = [p for p in proposals if p.reference == result["reference"]]
            if not stored or stored[0].status != "submitted":
                problems.append(f"{result['reference']}: acknowledged but not stored")
                continue
            files = stored[0].attachments
            if len(files) != 1 or files[0].sha256 != result["sha256"]:
                problems.append(f"{result['reference']}: attachment missing or different")
            elif hashlib.sha256(stored_path(files[0].stored_name).read_bytes()).hexdigest() \
                    != result["sha256"]:
                problems.append(f"{result['reference']}: file on disk differs")
        for attachment in db.session.scalars(db.select(Attachment)):
            if not stored_path(attachment.stored_name).exists():
                problems.append(f"attachment {attachment.id} has no file")
        references = db.session.scalars(db.select(Proposal.reference).filter(
            Proposal.reference.is_not(None))).all()
        if len(references) != len(set(references)):
            problems.append("duplicate reference numbers")
        if db.engine.dialect.name == "sqlite":
            check = db.session.execute(db.text("PRAGMA integrity_check")).scalar()
            if check != "ok":
                problems.append(f"integrity_check: {check}")
        expected = expected_mails(db, User, Proposal, emails)
        db.session.remove()
    return problems, expected


def expected_mails(db, User, Proposal, emails):
    """What each stored action owes its applicant by email: every account a confirmation link
    (asked for again or not), every submitted proposal a receipt with its reference number.
    Read from the database, so an action committed by a worker killed before it answered
    counts too."""
    expected = []
    for email in emails:
        user = db.session.scalar(db.select(User).filter_by(email=email))
        if user is None:
            continue
        expected.append((email, "confirmation", "/confirm/"))
        for reference in db.session.scalars(db.select(Proposal.reference).filter(
                Proposal.applicant_id == user.id, Proposal.status == "submitted")):
            expected.append((email, f"receipt {reference}", reference))
    return expected


def lost_mails(outbox, expected, wait):
    """The expected emails not in the outbox after waiting up to `wait` seconds (mail may be
    sent by a queue, after the answer)."""
    deadline = time.time() + wait
    while True:
        messages = outbox_messages(outbox)
        lost = [f"{email}: {what}" for email, what, needle in expected
                if not any(to == email and needle in text for to, _subject, text in messages)]
        if not lost or time.time() >= deadline:
            return lost
        time.sleep(1)


def killer(server, every, stop, killed):
    while not stop.wait(every):
        if server.kill_a_worker():
            killed.append(time.time())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-every", type=float, default=0)
    parser.add_argument("--json", type=Path, help="Write the figures to this file too.")
    parser.add_argument("--strict-mail", action="store_true",
                        help="Fail on a lost email in a run that kills workers too (runs "
                             "without kills always do).")
    parser.add_argument("--mail-wait", type=float, default=30,
                        help="Seconds to wait for emails still missing after the run.")
    args = parser.parse_args(argv)
    run = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory() as temporary:
        instance = Path(temporary)
        url, created = database_url(args.database, instance)
        # Rate limiting on, as in production: the applicants reach the portal through a proxy
        # (this client, on the trusted 127.0.0.1) that reports each one's own address.
        env = portal_env(instance, url, RATELIMIT_ENABLED="1")
        server = None
        try:
            prepare(env)
            server = Gunicorn(env, workers=args.workers)
            timings, stop, killed = {}, threading.Event(), []
            if args.kill_every:
                threading.Thread(target=killer, args=(server, args.kill_every, stop, killed),
                                 daemon=True).start()
            started = time.time()
            with concurrent.futures.ThreadPoolExecutor(args.concurrency or args.users) as pool:
                futures = [pool.submit(applicant_journey, server.base, instance / "outbox", n,
                                       run, timings) for n in range(args.users)]
                results, failures = [], []
                for future in concurrent.futures.as_completed(futures):
                    try:
                        results.append(future.result())
                    except Exception as error:  # a journey that gave up counts as an error
                        failures.append(str(error))
            stop.set()
            elapsed = time.time() - started
        finally:
            if server is not None:
                server.stop()
        server_errors = server.server_errors() if server is not None else []
        emails = [applicant_email(number, run) for number in range(args.users)]
        problems, expected = verify(env, results, emails)
        # A confirmation asked for again arrived, but the first one was lost all the same.
        lost = lost_mails(instance / "outbox", expected, args.mail_wait) + [
            f"{result['email']}: confirmation (the applicant had to ask again)"
            for result in results if result["confirmation_lost"]]
        drop_database(created)
    acknowledged = sum(1 for result in results if result["reference"])
    report = {
        "database": args.database, "users": args.users, "workers": args.workers,
        "acknowledged": acknowledged, "journeys_failed": len(failures),
        "workers_killed": len(killed), "client_retries": sum(r["retries"] for r in results),
        "seconds": round(elapsed, 1), "problems": problems, "failure_samples": failures[:3],
        "mails_expected": len(expected), "mails_lost": len(lost), "lost_mail_samples": lost[:5],
        "retry_causes": sorted({kind for r in results for kind in r["error_kinds"]}),
        # Exceptions the portal logged: a killed worker leaves none; any of them is a bug.
        "server_errors": len(server_errors), "server_error_samples": sorted(set(server_errors))[:5],
        "latency": {step: percentiles(values) for step, values in sorted(timings.items())},
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    # A killed worker may still lose the email of an action it committed: until mail goes
    # through a durable queue, kill runs report lost emails and fail on them only when strict.
    mail_ok = not lost or (args.kill_every and not args.strict_mail)
    ok = not problems and not server_errors and (args.kill_every or not failures) and mail_ok
    log("surge:", "ok" if ok else "FAILED", f"{acknowledged}/{args.users} acknowledged",
        f"{len(failures)} journeys failed", f"{len(problems)} problems",
        f"{len(server_errors)} server errors", f"{len(lost)}/{len(expected)} emails lost")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
