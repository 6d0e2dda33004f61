"""Every mail greets its recipient by one rule (portal.rules.contest.greeting and
addressee_name), the same name the organizers' {name} placeholder gives: no template or mail
module names people on its own."""
import re
from pathlib import Path
from types import SimpleNamespace

from flask_babel import force_locale

from portal.mail_templates.catalog import KINDS
from portal.mail_templates.services import preview
from portal.rules.contest import addressee_name, greeting

ROOT = Path(__file__).resolve().parent.parent
MAIL_TEMPLATES = sorted((ROOT / "templates" / "mail").glob("*.txt"))
MAIL_CODE = [path for folder in ("mail", "mail_templates")
             for path in (ROOT / "portal" / folder).glob("*.py")]


def test_every_mail_template_opens_with_the_one_greeting():
    assert len(MAIL_TEMPLATES) > 15
    for path in MAIL_TEMPLATES:
        text = path.read_text(encoding="utf-8")
        assert "display_name" not in text and "Hello" not in text, path.name
        if "greeting(" in text:
            assert re.match(r"\{\{ greeting\(\w+\) \}\}\n", text), path.name


def test_the_mail_code_names_nobody_on_its_own():
    for path in MAIL_CODE:
        assert "display_name or" not in path.read_text(encoding="utf-8"), path.name


def test_accounts_invitations_objectors_and_names_are_addressed_alike(app_context):
    account = SimpleNamespace(display_name=None, email="li@example.org")
    invitation = SimpleNamespace(display_name="李教授", email="prof@example.org")
    objector = SimpleNamespace(name=None, contact_email="objector@example.org")
    assert addressee_name(account) == "li@example.org"
    assert addressee_name(invitation) == "李教授"
    assert addressee_name(objector) == "objector@example.org"
    assert addressee_name("王小明") == "王小明" and addressee_name(None) == ""
    with force_locale("zh_CN"):
        assert greeting(invitation) == "李教授，您好："
    with force_locale("en"):
        assert greeting(account) == "Hello li@example.org,"


def test_the_placeholder_name_is_the_greeting_s_name_in_every_kind_of_mail(app_context):
    for kind in KINDS.values():
        if "name" not in kind.placeholders:
            continue
        name = kind.placeholders["name"].value(kind.sample_context())
        assert name, kind.code
        built_in = preview(kind.code, "zh_CN")["text"]
        assert built_in.startswith(f"{name}，您好："), (kind.code, built_in[:40])
