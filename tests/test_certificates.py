"""The printable award list and the certificates: A4 PDFs whose Chinese text is real text."""
import io
from datetime import datetime, timezone
from decimal import Decimal

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from portal.extensions import db
from portal.models import Award, Publication, PublicationStage
from tests.factories import make_proposal, make_user

EN = {"Accept-Language": "en"}


def award_winners(contest, organizer):
    """An NGO's project with the first prize and an individual's with the second."""
    ngo = make_proposal(contest, make_user("ngo@example.org", organization="郑州市爱心助老协会"),
                        title="银龄陪伴计划")
    person = make_proposal(contest, make_user("person@example.org", organization=None,
                                              entrant_type="individual"),
                           title="心的呼唤助医行动", theme_index=6, contact_name="李明")
    loser = make_proposal(contest, make_user("other@example.org"), title="未获奖项目")
    first, second = contest.award_tiers[0], contest.award_tiers[1]
    db.session.add_all([
        Award(contest_id=contest.id, proposal_id=ngo.id, tier_id=first.id,
              grant=Decimal("50000"), decided_by_id=organizer.id),
        Award(contest_id=contest.id, proposal_id=person.id, tier_id=second.id,
              grant=Decimal("30000"), decided_by_id=organizer.id)])
    db.session.commit()
    return ngo, person, loser


def pdf_of(response):
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return PdfReader(io.BytesIO(response.data))


def text_of(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_certificate_per_winner_with_the_chinese_text(client, auth, contest, organizer):
    ngo, person, loser = award_winners(contest, organizer)
    auth.login(organizer)
    reader = pdf_of(client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf",
                               headers={"Accept-Language": "zh-CN"}))
    assert len(reader.pages) == 2
    for page in reader.pages:  # A4 landscape
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            round(A4[1]), round(A4[0]))
    first, second = (page.extract_text() for page in reader.pages)
    assert "郑州市爱心助老协会" in first and "银龄陪伴计划" in first and "一等奖" in first
    assert "李明" in second and "心的呼唤助医行动" in second and "二等奖" in second
    assert "郑州慈善总会" in first  # the organizer signs it
    assert "未获奖项目" not in text_of(reader)


def test_certificates_in_english(client, auth, contest, organizer):
    award_winners(contest, organizer)
    auth.login(organizer)
    text = text_of(pdf_of(client.get(
        f"/admin/contests/{contest.slug}/exports/certificates.pdf", headers=EN)))
    assert "Certificate of Honour" in text and "First prize" in text
    assert "Zhengzhou Charity Federation" in text


def test_no_certificates_before_any_award(client, auth, contest, organizer):
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf",
                          headers=EN, follow_redirects=True)
    assert "No award has been decided yet" in response.get_data(True)


def test_the_award_list_by_tier(client, auth, contest, organizer):
    ngo, person, loser = award_winners(contest, organizer)
    auth.login(organizer)
    reader = pdf_of(client.get(f"/admin/contests/{contest.slug}/exports/award-list.pdf",
                               headers={"Accept-Language": "zh-CN"}))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
        round(A4[0]), round(A4[1]))
    text = text_of(reader)
    assert "志愿四方杯" in text
    assert text.index("一等奖") < text.index("银龄陪伴计划") < text.index("二等奖") \
        < text.index("心的呼唤助医行动")
    assert "郑州市爱心助老协会" in text and "李明" in text and "50,000.00" in text
    assert ngo.reference in text and "未获奖项目" not in text


def test_an_empty_award_list_says_so(client, auth, contest, organizer):
    auth.login(organizer)
    text = text_of(pdf_of(client.get(f"/admin/contests/{contest.slug}/exports/award-list.pdf",
                                     headers=EN)))
    assert "No award has been decided yet." in text


def test_the_date_is_the_finalization_of_the_results(client, auth, contest, organizer):
    award_winners(contest, organizer)
    db.session.add(Publication(
        contest_id=contest.id, stage=PublicationStage.FINAL,
        published_at=datetime(2014, 12, 10, 2, 0, tzinfo=timezone.utc),
        finalized_at=datetime(2014, 12, 19, 17, 30, tzinfo=timezone.utc)))  # 20th in Beijing
    db.session.commit()
    auth.login(organizer)
    for path in ("certificates.pdf", "award-list.pdf"):
        text = text_of(pdf_of(client.get(f"/admin/contests/{contest.slug}/exports/{path}",
                                         headers={"Accept-Language": "zh-CN"})))
        assert "2014年12月20日" in text
