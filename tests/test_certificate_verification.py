"""Numbered certificates: the seal, the QR code of the verification page, team members'
certificates, revocation, and a verification page that tells nothing to someone guessing."""
import io
import re

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from portal.certificates import numbers
from portal.certificates.seal import seal_path
from portal.extensions import db
from portal.models import AuditEvent, Certificate
from tests.conftest import make_test_app
from tests.test_certificates import award_winners

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def certificates_pdf(client, contest):
    response = client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf", headers=ZH)
    assert response.status_code == 200
    return response.data


def qr_urls(pdf_bytes):
    """The QR codes of each page, decoded from the page as rendered (not from our own data)."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    urls = []
    for page in document:
        image = page.render(scale=3).to_pil()
        (barcode,) = [found for found in zxingcpp.read_barcodes(image)
                      if found.format == zxingcpp.BarcodeFormat.QRCode]
        urls.append(barcode.text)
    return urls


def png(colour=(200, 20, 20, 255), size=(60, 60), fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size,
              colour if fmt == "PNG" else colour[:3]).save(out, format=fmt)
    return out.getvalue()


def test_the_qr_code_opens_the_verification_page_until_revoked(client, auth, contest,
                                                                 organizer):
    ngo, person, _loser = award_winners(contest, organizer)
    ngo.publish_consent = True
    db.session.commit()
    auth.login(organizer)
    first, second = qr_urls(certificates_pdf(client, contest))
    assert re.fullmatch(r"http://portal\.test/verify/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", first)
    page = client.get(first, headers=ZH)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-certificate-status="valid"' in text and "一等奖" in text
    assert "银龄陪伴计划" in text and "郑州市爱心助老协会" in text   # published with consent
    # No consent to publish: the tier and contest, never the title or the name.
    other = client.get(second, headers=ZH).get_data(as_text=True)
    assert "二等奖" in other and "心的呼唤助医行动" not in other and "李明" not in other

    number = first.rsplit("/", 1)[1]
    certificate = db.session.scalar(db.select(Certificate).filter_by(number=number))
    response = client.post(f"/admin/certificates/{certificate.id}/revoke", headers=EN,
                           data={"reason": "获奖项目被查实虚报受益人数"})
    assert response.status_code == 302
    revoked = client.get(first, headers=ZH).get_data(as_text=True)
    assert 'data-certificate-status="revoked"' in revoked and "已撤销" in revoked
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="certificate.revoked"))
    assert event.actor_id == organizer.id and event.detail["reason"] == "获奖项目被查实虚报受益人数"
    # A revoked certificate is no longer printed; the others keep their numbers.
    reprinted = qr_urls(certificates_pdf(client, contest))
    assert first not in reprinted and second in reprinted


def test_numbers_are_given_once_and_are_not_sequential(client, auth, contest, organizer):
    award_winners(contest, organizer)
    auth.login(organizer)
    once = qr_urls(certificates_pdf(client, contest))
    assert qr_urls(certificates_pdf(client, contest)) == once
    issued = db.session.scalars(db.select(Certificate.number)).all()
    assert len(issued) == 2 and all(numbers.normalized(n) == n for n in issued)
    drawn = {numbers.new_number() for _ in range(1000)}
    assert len(drawn) == 1000


def test_unknown_and_malformed_numbers_get_the_same_answer(client):
    paths = ("/verify/" + numbers.new_number(), "/verify/not-a-number'<script>",
             "/verify/7K3M/Q9XD/2HWP", "/verify/" + "X" * 300)
    unknown, *malformed = (client.get(path, headers=EN) for path in paths)
    assert {response.status_code for response in [unknown, *malformed]} == {404}
    assert "No certificate has this number" in unknown.get_data(as_text=True)

    def page(response):  # but for the address itself, in the language links
        return re.sub(r'next=[^"]*"|value="[^"]*"', "", response.get_data(as_text=True))

    assert all(page(unknown) == page(response) for response in malformed)
    assert client.get("/verify", query_string={"number": "   "}).status_code == 200


def test_a_number_typed_by_hand_is_read_leniently(client, auth, contest, organizer):
    award_winners(contest, organizer)
    auth.login(organizer)
    certificates_pdf(client, contest)
    number = db.session.scalars(db.select(Certificate.number)).first()
    typed = number.lower().replace("-", " ").replace("0", "o")
    response = client.get("/verify", query_string={"number": typed})
    assert response.status_code == 302 and response.location.endswith(f"/verify/{number}")
    assert client.get(response.location).status_code == 200


@pytest.fixture
def _limiter_back_to_the_test_config(web_app):
    yield
    from portal.extensions import limiter
    limiter.init_app(web_app)


def test_the_verification_page_is_rate_limited(tmp_path, database_url, app, app_context,
                                              _limiter_back_to_the_test_config):
    limited = make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                            RATELIMIT_STORAGE_URI="memory://",
                            VERIFY_LIMIT_PER_IP="3 per minute")
    client = limited.test_client()
    statuses = [client.get("/verify/" + numbers.new_number()).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_team_members_get_certificates_of_their_own(client, auth, contest, organizer):
    ngo, _person, _loser = award_winners(contest, organizer)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/certificates", headers=EN)
    assert page.status_code == 200
    award_id = ngo.award_id if hasattr(ngo, "award_id") else db.session.scalar(
        db.text("SELECT id FROM awards WHERE proposal_id = :p"), {"p": ngo.id})
    response = client.post(f"/admin/contests/{contest.slug}/certificates/members", headers=EN,
                           data={"award": award_id, "names": "王小红\n张伟\n王小红\n"})
    assert response.status_code == 302
    members = db.session.scalars(db.select(Certificate).filter(
        Certificate.holder.is_not(None))).all()
    assert sorted(m.holder for m in members) == ["张伟", "王小红"]
    # Asking again gives nobody a second certificate.
    client.post(f"/admin/contests/{contest.slug}/certificates/members",
                data={"award": award_id, "names": "张伟"})
    assert db.session.scalar(db.select(db.func.count(Certificate.id)).filter(
        Certificate.holder.is_not(None))) == 2
    reader = PdfReader(io.BytesIO(certificates_pdf(client, contest)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 4 and "王小红" in text and "张伟" in text
    member = members[0]
    single = client.get(f"/admin/certificates/{member.id}.pdf", headers=ZH)
    (url,) = qr_urls(single.data)
    shown = client.get(url, headers=ZH).get_data(as_text=True)
    assert member.holder not in shown and member.holder[0] + "*" in shown  # masked


def test_member_certificates_need_a_name_and_an_award_of_the_contest(client, auth, contest,
                                                                     organizer):
    award_winners(contest, organizer)
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/certificates/members"
    assert client.post(url, headers=EN, data={"award": 999999, "names": "张伟"}).status_code == 422
    blank = client.post(url, headers=EN, data={"award": 1, "names": "  \n "})
    assert blank.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_revoking_needs_a_reason(client, auth, contest, organizer):
    award_winners(contest, organizer)
    auth.login(organizer)
    certificates_pdf(client, contest)
    certificate = db.session.scalars(db.select(Certificate)).first()
    response = client.post(f"/admin/certificates/{certificate.id}/revoke", headers=EN,
                           data={"reason": "  "}, follow_redirects=True)
    assert "Give the reason for revoking" in response.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.revoked_at is None


def test_the_seal_is_checked_stored_outside_static_and_printed(client, auth, contest,
                                                               organizer, app):
    award_winners(contest, organizer)
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/certificates/seal"
    without = PdfReader(io.BytesIO(certificates_pdf(client, contest)))
    images_before = len(without.pages[0].images)
    for content, name in ((b"<svg onload=alert(1)>", "seal.png"), (png(fmt="GIF"), "seal.gif"),
                          (png()[:40], "truncated.png")):
        refused = client.post(url, headers=EN, data={"seal": (io.BytesIO(content), name)},
                              content_type="multipart/form-data")
        assert refused.status_code == 422
        assert "The seal must be a PNG or JPEG picture." in refused.get_data(as_text=True)
    for fmt in ("JPEG", "PNG"):
        saved = client.post(url, data={"seal": (io.BytesIO(png(fmt=fmt)), "seal.img")},
                            content_type="multipart/form-data")
        assert saved.status_code == 302
    stored = seal_path(contest)
    assert stored.read_bytes().startswith(b"\x89PNG")
    assert "static" not in stored.resolve().parts
    assert client.get(f"/admin/contests/{contest.slug}/certificates/seal.png").status_code == 200
    with_seal = PdfReader(io.BytesIO(certificates_pdf(client, contest)))
    assert len(with_seal.pages[0].images) == images_before + 1
    client.post(f"/admin/contests/{contest.slug}/certificates/seal/remove")
    assert not stored.exists()
