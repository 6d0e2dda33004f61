"""Organizers' email texts: placeholders checked before saving, a preview, used by the next
email, and the way back to the built-in text."""
from portal.extensions import db
from portal.mail_templates.catalog import KINDS
from portal.mail_templates.services import preview
from portal.models import AuditEvent, MailTemplate
from tests.factories import email_text, make_proposal, make_user

EN = {"Accept-Language": "en"}
URL = "/admin/mail-templates/proposal_submitted/zh_CN"
RECEIPT = {"subject": "收到申报：{reference}",
           "body": "{name}您好：\n\n我们已收到“{title}”，编号 {reference}。\n\n{proposal_url}",
           "save": "Save"}


def test_an_edited_text_is_used_for_the_next_email(client, auth, contest, organizer, outbox):
    auth.login(organizer)
    assert client.post(URL, data=RECEIPT).status_code == 302
    applicant = make_user("applicant@example.org", name="赵申报")
    proposal = make_proposal(contest, applicant, title="社区助老食堂")
    (message,) = [m for m in outbox() if m["To"] == "applicant@example.org"
                  and "收到申报" in m["Subject"]]
    assert message["Subject"] == f"收到申报：{proposal.reference}"
    text = email_text(message)
    assert text.startswith("赵申报您好：") and f"我们已收到“社区助老食堂”，编号 {proposal.reference}" in text
    assert f"/proposals/{proposal.id}" in text


def test_other_languages_keep_the_built_in_text(client, auth, contest, organizer, outbox):
    auth.login(organizer)
    client.post(URL, data=RECEIPT)
    applicant = make_user("english@example.org")
    applicant.locale = "en"
    db.session.commit()
    make_proposal(contest, applicant)
    (message,) = [m for m in outbox() if m["To"] == "english@example.org"
                  and "Receipt" in m["Subject"]]
    assert "This message is your receipt." in email_text(message)


def test_an_unknown_placeholder_is_refused(client, auth, organizer):
    auth.login(organizer)
    for body, message in (("{nmae}您好", "Unknown placeholder: {nmae}"),
                          ("{user.password_hash}", "Unknown placeholder: {user.password_hash}"),
                          ("{name", "Braces are only for placeholders"),
                          ("{{name}}", "Braces are only for placeholders")):
        response = client.post(URL, headers=EN, data={"body": body, "save": "Save"})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    refused_subject = client.post(URL, headers=EN, data={
        "subject": "{contest_secret}", "body": "{name}", "save": "Save"})
    assert refused_subject.status_code == 422
    assert db.session.scalar(db.select(db.func.count(MailTemplate.id))) == 0


def test_the_preview_fills_sample_values_and_saves_nothing(client, auth, organizer):
    auth.login(organizer)
    page = client.post(URL, headers=EN, data={**RECEIPT, "save": "", "preview": "Preview"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "王小明您好：" in text and "收到申报：ZZCF-2014-0007" in text
    assert db.session.scalar(db.select(db.func.count(MailTemplate.id))) == 0
    # Before any edit, the page shows the built-in text.
    built_in = client.get(URL, headers=EN).get_data(as_text=True)
    assert "本邮件即为提交回执" in built_in   # the Chinese text, whatever the page's language


def test_back_to_the_built_in_text(client, auth, contest, organizer, outbox):
    auth.login(organizer)
    client.post(URL, data=RECEIPT)
    assert client.post(f"{URL}/restore").status_code == 302
    assert db.session.scalar(db.select(db.func.count(MailTemplate.id))) == 0
    make_proposal(contest, make_user("later@example.org"))
    (message,) = [m for m in outbox() if m["To"] == "later@example.org"
                  and "ZZCF" in m["Subject"]]
    assert "收到申报" not in message["Subject"]
    actions = db.session.scalars(db.select(AuditEvent.action).filter(
        AuditEvent.action.like("mail_template.%")).order_by(AuditEvent.id)).all()
    assert actions == ["mail_template.changed", "mail_template.restored"]


def test_every_kind_previews_its_built_in_and_a_text_with_every_placeholder(app_context):
    for kind in KINDS.values():
        for locale in ("zh_CN", "en"):
            assert preview(kind.code, locale)["text"].strip()
            body = " ".join("{%s}" % name for name in kind.placeholders)
            text = preview(kind.code, locale, "", body)["text"]
            assert "{" not in text, (kind.code, text)


def test_the_list_of_emails(client, auth, organizer):
    auth.login(organizer)
    client.post(URL, data=RECEIPT)
    page = client.get("/admin/mail-templates", headers=EN).get_data(as_text=True)
    assert "Receipt of a submitted proposal" in page and "Edited" in page
    assert client.get("/admin/mail-templates/no_such_kind/en").status_code == 404
