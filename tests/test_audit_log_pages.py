"""The audit log in words (Chinese and English), filtered, and exported to CSV and XLSX."""
import csv
import io
from datetime import timedelta

import openpyxl

from portal.audit import record
from portal.extensions import db
from portal.models import AuditEvent, utcnow
from portal.timezones import to_beijing_naive
from tests.factories import assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def sentences(page):
    import re
    return re.findall(r'<p class="mb-1" data-audit-sentence>([^<]*)</p>', page)


def revised_scores(contest, applicant):
    proposal = make_proposal(contest, applicant)
    judge = make_judge(contest, name="钱评委")
    (assignment,) = assign(proposal, judge)
    review(assignment, 3, 5, 6)
    review(assignment, 7, 5, 6)   # a revision: innovation 3 -> 7
    return proposal, judge


def test_a_score_change_reads_as_a_sentence_in_both_languages(client, auth, contest, applicant,
                                                              organizer):
    proposal, _judge = revised_scores(contest, applicant)
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/audit"
    chinese = sentences(client.get(url, headers=ZH).get_data(as_text=True))
    english = sentences(client.get(url, headers=EN).get_data(as_text=True))
    innovation = contest.criteria[0]
    assert f"评审专家 J001 修改了 {proposal.reference} 的评分：{innovation.name_zh} 3 → 7" in chinese
    assert (f"judge J001 changed the scores of {proposal.reference}: "
            f"{innovation.name_en} 3 → 7") in english
    assert not any("{" in text for text in chinese + english)  # no JSON left


def test_a_reason_is_part_of_the_sentence(client, auth, contest, organizer):
    record(organizer, "round.closed", contest=contest, target=contest.rounds[0],
           round=contest.rounds[0].code, reason="评审全部完成")
    db.session.commit()
    auth.login(organizer)
    (text,) = sentences(client.get(f"/admin/contests/{contest.slug}/audit",
                                   headers=ZH).get_data(as_text=True))
    assert contest.rounds[0].name_zh in text and text.endswith("理由：评审全部完成")


def test_filters_by_actor_kind_date_and_contest(client, auth, contest, applicant, organizer):
    revised_scores(contest, applicant)
    colleague = make_user("colleague@example.org", organizer=True, name="孙主任")
    record(colleague, "round.closed", contest=contest, round=contest.rounds[0].code)
    old = record(organizer, "judges.reminded", contest=contest, count=1)
    db.session.flush()
    old.at = utcnow() - timedelta(days=10)    # the hash no longer matches: only the page is read
    record(colleague, "site.settings_changed")
    db.session.commit()
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/audit"

    def count(query, site=False):
        page = client.get("/admin/audit" if site else url, query_string=query, headers=EN)
        assert page.status_code == 200
        return len(sentences(page.get_data(as_text=True)))

    everything = count({})
    assert count({"actor": "孙主任"}) == 1
    assert count({"actor": "colleague@"}) == 1
    assert count({"action": "review.revised"}) == 1
    # The filters take Beijing dates: from 16:00 UTC on, Beijing is a day ahead.
    ten_days_ago = to_beijing_naive(utcnow() - timedelta(days=10)).date().isoformat()
    assert count({"day_to": ten_days_ago}) == 1
    assert count({"day_from": to_beijing_naive(utcnow()).date().isoformat()}) == everything - 1
    assert count({"actor": "%"}) == 0          # a wildcard is a character like any other
    assert count({"day_from": "not a date"}) == everything   # ignored, with its error shown
    assert count({}, site=True) == everything + 1             # the site's own entry too
    assert count({"contest": contest.slug}, site=True) == everything


def test_the_export_in_words_safe_for_spreadsheets(client, auth, contest, organizer):
    mischief = make_user("mischief@example.org", organizer=True, name="=HYPERLINK(\"x\")")
    record(mischief, "round.closed", contest=contest, round=contest.rounds[0].code)
    record(organizer, "judges.reminded", contest=contest, count=2)
    db.session.commit()
    auth.login(organizer)
    response = client.get("/admin/audit/export.csv", query_string={"contest": contest.slug},
                          headers=ZH)
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["时间（北京时间）", "大赛", "操作", "经过"]
    assert len(rows) == 3
    assert rows[2][3].startswith("'=HYPERLINK")       # neutralized, never a formula
    entry_hash = db.session.scalar(db.select(AuditEvent.entry_hash).filter_by(
        action="round.closed"))
    assert rows[2][5] == entry_hash
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(
        "/admin/audit/export.xlsx", headers=EN).data))
    sheet = workbook.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][3] == "What happened" and len(values) >= 3
    exported = db.session.scalars(db.select(AuditEvent).filter_by(action="audit.exported")).all()
    assert [event.detail["format"] for event in exported] == ["csv", "xlsx"]
