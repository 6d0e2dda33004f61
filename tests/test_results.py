"""The organizers' ranked list and its CSV export."""
import csv
import io

from portal.extensions import db
from portal.models import ProposalStatus
from portal.results.services import spreadsheet_safe
from tests.factories import assign, make_judge, make_proposal, make_user, review


def build_contest(contest, organizer):
    """Three proposals: 8.0 (two reviews), 9.0 and a tied 8.0 in another theme, one unreviewed."""
    judges = [make_judge(contest, f"j{n}@example.org") for n in (1, 2)]
    a = make_proposal(contest, make_user("a@example.org"), title="甲项目", theme_index=0)
    b = make_proposal(contest, make_user("b@example.org"), title="乙项目", theme_index=0)
    c = make_proposal(contest, make_user("c@example.org"), title="=HYPERLINK(\"x\")",
                      theme_index=4)
    d = make_proposal(contest, make_user("d@example.org"), title="丁项目", theme_index=4)
    first, second = assign(a, *judges, actor=organizer)
    review(first, 9, 8, 7)     # 8
    review(second, 7, 8, 9)    # 8
    (only,) = assign(b, judges[0], actor=organizer)
    review(only, 9, 9, 9)
    (third,) = assign(c, judges[1], actor=organizer)
    review(third, 8, 8, 8)
    (draft_only,) = assign(d, judges[1], actor=organizer)
    review(draft_only, 10, 10, 10, submit=False)  # a draft review does not count
    return a, b, c, d


def test_the_ranking_orders_by_mean_score_with_ties(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)
    assert page.index("乙项目") < page.index("甲项目") < page.index("丁项目")
    assert "9.00" in page and "8.00" in page and "并列" in page


def test_the_ranking_within_a_theme(client, auth, contest, organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking?theme=education_aid").get_data(True)
    assert "丁项目" in page and "甲项目" not in page


def test_the_csv_opens_in_excel_and_is_safe(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/ranking.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "主题内排名", "项目编号", "项目名称"]
    body = {row[2]: row for row in rows[1:]}
    assert body[b.reference][0] == "1" and body[b.reference][8] == "9.00"
    assert body[a.reference][0] == "2" and body[a.reference][9] == "是"
    assert body[c.reference][0] == "2" and body[c.reference][1] == "1"
    assert body[c.reference][3] == "'=HYPERLINK(\"x\")"  # never run as a formula
    assert body[d.reference][0] == "" and body[d.reference][7] == "0"
    assert body[a.reference][6] == "绿城志愿者协会"


def test_withdrawn_proposals_leave_the_ranking(client, auth, contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    b.status = ProposalStatus.WITHDRAWN
    db.session.commit()
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)
    assert "乙项目" not in page


def test_spreadsheet_safe_cells():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("+86 138") == "'+86 138"
    assert spreadsheet_safe("普通文本") == "普通文本"
    assert spreadsheet_safe(None) == ""
    assert spreadsheet_safe(7) == "7"
