"""The ranked list as issue 20 asks: five plain columns by default, the other methods and the
intervals folded away, neutral tie badges explained once, a chart with the cut line, no
round-closing button; judge agreement read in one line, with each judge's severity drawn."""
import re

import pytest

from portal.extensions import db
from portal.models import User
from portal.results.charts import score_chart, severity_chart
from tests.test_results import build_contest


@pytest.fixture
def ranked_page(client, auth, contest, organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    return client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)


def test_the_default_list_has_five_plain_columns(ranked_page):
    table = ranked_page[ranked_page.index('id="ranked-list"'):]
    head = table[:table.index("</thead>")]
    headers = [re.sub(r"<[^>]+>", "", cell).strip()
               for cell in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", head, flags=re.S)]
    headers = [text for text in headers if text]
    # The ranking sheet's own headers (portal.results.columns defines both).
    assert headers[:2] + headers[3:] == ["排名", "项目名称", "得分", "评分表数"]
    assert headers[2].startswith("主题")   # 主题 or 主题方向, as the glossary settles it


def test_other_methods_and_intervals_are_folded_away(ranked_page):
    simple = ranked_page[ranked_page.index('id="ranked-list"'):ranked_page.index("</table>")]
    assert "95% 区间" not in simple and "标准化" not in simple
    folded = ranked_page[ranked_page.index('<details class="card card-body mt-3" id="other-methods">'):]
    assert "其他计分方法对比" in folded and "95% 区间" in folded[:folded.index("</details>")]


def test_the_method_statement_and_flags_stay_in_view(ranked_page):
    assert 'id="ranking-method"' in ranked_page
    simple = ranked_page[ranked_page.index('id="ranked-list"'):ranked_page.index("</table>")]
    # Ties are neutral (not red), and explained once above the list.
    assert '<span class="badge text-bg-light border">并列</span>' in simple
    assert "text-bg-danger" not in ranked_page
    legend = ranked_page[ranked_page.index('id="ranking-badges"'):]
    assert "并列" in legend[:legend.index("</p>")]


def test_closing_the_round_is_not_on_the_ranking_page(ranked_page, contest):
    assert "/close" not in ranked_page and f"/admin/contests/{contest.slug}/rounds" in ranked_page


def test_the_chart_is_drawn_by_the_server(ranked_page):
    svg = ranked_page[ranked_page.index("<svg class=\"chart\""):ranked_page.index("</svg>")]
    assert svg.count("<circle") == 3   # three proposals with a score, the fourth has none
    assert "<script" not in ranked_page[ranked_page.index("<svg"):ranked_page.index("</svg>")]


def test_the_cut_line_falls_after_the_boundary():
    points = [(f"P{n}", n, 10 - n, 9 - n, 11 - n, False) for n in range(1, 6)]
    chart = score_chart(points, (1, 10), boundary=2)
    second, third = chart.dots[1], chart.dots[2]
    assert second.y < chart.cut_y < third.y
    assert chart.dots[0].x > chart.dots[1].x     # higher scores to the right
    assert score_chart(points, (1, 10), boundary=5).cut_y is None   # all inside: no line


def test_severity_bars_go_right_for_lenient_and_left_for_strict():
    chart = severity_chart([("宽", 0.5), ("严", -1.0)])
    lenient, strict = chart.bars
    assert lenient.x == chart.zero_x and lenient.lenient and lenient.width > 0
    assert strict.x + strict.width == pytest.approx(chart.zero_x) and not strict.lenient
    assert strict.width == pytest.approx(2 * lenient.width)


def test_judge_agreement_has_a_reading_and_a_severity_chart(client, auth, contest, organizer):
    build_contest(contest, organizer)
    for email, name in [("j1@example.org", "评审专家10"), ("j2@example.org", "评审专家2")]:
        db.session.scalar(db.select(User).filter_by(email=email)).display_name = name
    db.session.commit()
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking/judges").get_data(as_text=True)
    assert 'class="chart"' in page and page.count("<rect") == 2
    table = page[page.index("<table"):]
    assert table.index("评审专家2") < table.index("评审专家10")   # by number, not 1, 10, 2
