"""Test data built through the same services the portal uses."""
import io
import itertools
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from flask import url_for
from pypdf import PdfWriter
from werkzeug.routing.converters import AnyConverter

from portal.accounts.services import create_user, update_profile
from portal.contests.loader import parse_contest, store_contest
from portal.extensions import db
from portal.accounts.invitations import accept as accept_invitation, invite
from portal.judging.services import assign_judges, invite_judge, save_review
from portal.models import InvitationRole, utcnow
from portal.proposals.services import create_draft, submit_proposal



def pdf_file(**info):
    """A one-page PDF written by pypdf, with these document-information entries."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if info:
        writer.add_metadata({f"/{key}": value for key, value in info.items()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PASSWORD = "correct horse battery staple"
SEED_FILE = Path(__file__).resolve().parent.parent / "portal" / "seed" / "zzcf-2014.yaml"

PROPOSAL_TEXT = {
    "summary": "为社区空巢老人提供每周上门探访和健康监测。",
    "need": "社区内有 120 位独居老人，缺少日常照料。",
    "beneficiaries": "独居老人",
    "beneficiary_count": 120,
    "plan": "第1-2月招募志愿者；第3-12月每周探访。",
    "outcomes": "每位老人每月至少探访 4 次。",
    "innovation": "大学生志愿者与社区医生结对。",
    "team": "项目负责人王芳，社工师，从事养老服务 8 年。",
    "sustainability": "与街道签订长期合作协议。",
    "contact_name": "王芳",
    "contact_phone": "13912345678",
    "contact_email": "wangfang@example.org",
}
BUDGET_LINES = [
    {"item": "志愿者交通补贴", "amount": Decimal("20000.00"), "note": "50 人 × 400 元"},
    {"item": "健康监测设备", "amount": Decimal("15000.00"), "note": None},
]


def make_user(email, organizer=False, profile=True, name=None, organization="绿城志愿者协会",
              entrant_type="ngo"):
    user = create_user(email, PASSWORD, display_name=name or email.split("@")[0],
                       organizer=organizer)
    user.email_confirmed_at = utcnow()
    if profile and not organizer:
        update_profile(user, user.display_name, entrant_type, organization, "张三", "13800138000")
    db.session.commit()
    return user


def make_contest(slug="zzcf-2014", opens="-1 day", deadline="30 days", blind=False, **changes):
    text = SEED_FILE.read_text(encoding="utf-8")
    parsed = parse_contest(text, utcnow())
    fields = parsed["contest"]
    fields["slug"] = slug
    fields["reference_prefix"] = slug.upper()
    now = utcnow()
    fields["opens_at"] = now + _duration(opens)
    fields["submission_deadline"] = now + _duration(deadline)
    fields["results_at"] = None
    fields["blind"] = blind
    fields.update(changes)
    contest, _created = store_contest(parsed)
    db.session.commit()
    return contest


def _duration(text):
    amount, unit = text.split()
    return timedelta(**{unit.rstrip("s") + "s": int(amount)})


def close_submissions(contest):
    """Move the deadline into the past (the contest moves on to judging)."""
    contest.submission_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def make_proposal(contest, applicant, submit=True, theme_index=0, **fields):
    data = {"title": "社区空巢老人关爱行动", "theme_id": contest.themes[theme_index].id,
            **PROPOSAL_TEXT, "budget_lines": BUDGET_LINES, **fields}
    proposal = create_draft(applicant, contest, data)
    if submit:
        submit_proposal(applicant, proposal)
    db.session.commit()
    return proposal


def make_judge(contest, email="judge@example.org", name=None, themes=(), organization=None):
    """A judge of the contest; `themes` are the theme codes of their expertise."""
    invitation, _token = invite_judge(None, contest, email, theme_codes=themes,
                                      organization=organization)
    user = accept_invitation(invitation, display_name=name or email.split("@")[0],
                             password=PASSWORD)
    db.session.commit()
    return user


def make_chair(contest, email="chair@example.org", themes=(), name=None):
    """A theme chair (主题负责人) of the contest, by accepting an invitation; `themes` are the
    codes of the themes chaired."""
    invitation, _token = invite(None, InvitationRole.CHAIR, email, contest=contest,
                                theme_codes=list(themes))
    user = accept_invitation(invitation, display_name=name or email.split("@")[0],
                             password=PASSWORD)
    db.session.commit()
    return user


def assign(proposal, *judges, actor=None):
    contest_round = proposal.contest.current_round
    created = assign_judges(actor, proposal, [judge.id for judge in judges],
                            contest_round)
    db.session.commit()
    return created


def review(assignment, *scores, comment="", submit=True):
    """Score the assignment: one value per criterion, in the contest's criterion order."""
    criteria = assignment.proposal.contest.criteria
    values = {criterion.id: Decimal(str(value)) for criterion, value in zip(criteria, scores)}
    result = save_review(assignment.judge, assignment, values, comment, submit=submit)
    db.session.commit()
    return result


class Auth:
    """Log in and out through the real pages."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password=PASSWORD):
        """Log in as this user (whoever was logged in before is logged out)."""
        self.client.post("/logout")
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


def sent_emails(app):
    """The messages written to the outbox, oldest first, as email.message objects."""
    from email import policy
    from email.parser import BytesParser

    from portal.mail import outbox_path
    folder = outbox_path(app)
    if not folder.exists():
        return []
    return [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            for path in sorted(folder.glob("*.eml"))]


def email_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def count_calls(monkeypatch, owner, name):
    """A list that grows by one at each call of `owner.name`, which still does its work."""
    calls, original = [], getattr(owner, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def open_server_cursors():
    """The names of the server-side cursors open on the session's connection (PostgreSQL's
    pg_cursors; the test is skipped on SQLite, which has none)."""
    import pytest
    from sqlalchemy import text

    if db.session.connection().dialect.name != "postgresql":
        pytest.skip("server-side cursors are PostgreSQL's")
    return db.session.scalars(text("SELECT name FROM pg_cursors WHERE name <> ''")).all()


def without_csrf_tokens(page):
    """The page with its CSRF tokens blanked: a token carries the second it was made in, so
    two identical answers a second apart would otherwise differ."""
    return re.sub(r'(name="csrf_token"[^>]*?value=")[^"]*"', r'\1"', page)


def link_in(message, prefix):
    """The first URL in the message's text that starts with `prefix`."""
    import re
    for url in re.findall(r"https?://\S+", email_text(message)):
        path = url.split("://", 1)[1].split("/", 1)[1]
        if ("/" + path).startswith(prefix):
            return "/" + path
    raise AssertionError(f"no link to {prefix} in the message")


def get_urls(app, values, guess=None):
    """One URL per GET route (but `static`) and per choice of its `any(...)` parts, sorted.
    A parameter takes `values["<endpoint>:<name>"]`, else `values["<name>"]`; one in neither
    takes each value of `guess(converter)`, and without `guess` it is an error."""
    urls = set()
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            options = []
            for name in sorted(rule.arguments):
                converter = rule._converters[name]
                if isinstance(converter, AnyConverter):
                    choices = sorted(converter.items)
                elif f"{rule.endpoint}:{name}" in values:
                    choices = [values[f"{rule.endpoint}:{name}"]]
                elif name in values:
                    choices = [values[name]]
                elif guess is not None:
                    choices = guess(converter)
                else:
                    raise KeyError(f"no value for {name!r} of {rule.endpoint}")
                options.append([(name, choice) for choice in choices])
            for combination in itertools.product(*options):
                urls.add(url_for(rule.endpoint, **dict(combination)))
    return sorted(urls)
