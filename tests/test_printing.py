"""Printing: the print stylesheet hides the controls and keeps the tables and text that sit
inside forms (the ranking, a proposal, the judges' lists); a judge's printed proposal names no
judge. The ranked list printed to PDF through Chromium is in tests/e2e/test_exports_and_print.py.
"""
import re

from tests.factories import assign, make_judge, make_proposal, make_user, review


def print_rules(repo_root):
    """The selectors the print stylesheet hides, and the whole print block."""
    css = (repo_root / "static" / "css" / "portal.css").read_text()
    block = re.sub(r"/\*.*?\*/", "", css[css.index("@media print"):], flags=re.S)
    hidden = set()
    for selectors in re.findall(r"([^{}]+)\{\s*display:\s*none", block):
        hidden |= {re.sub(r"\s+", " ", selector).strip() for selector in selectors.split(",")}
    return hidden, block


def test_print_hides_the_controls_but_not_forms_and_tables(repo_root):
    hidden, block = print_rules(repo_root)
    assert "form" not in hidden and not hidden & {"table", ".table", ".table-responsive"}
    assert {"button", "input", "select", "textarea", ".btn", "nav", ".pagination",
            ".no-print"} <= hidden
    assert "overflow: visible" in block   # a wide table is not cut at the paper's edge


def test_flash_messages_do_not_print(client, auth, organizer):
    auth.login(organizer)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "已保存。")]
    page = client.get("/").get_data(True)
    assert re.search(r'class="alert [^"]*no-print[^"]*"[^>]*>已保存。', page)


def test_a_judges_proposal_page_names_no_judge_outside_the_menu(client, auth, contest,
                                                                 organizer):
    proposal = make_proposal(contest, make_user("ngo@example.org"), title="社区助老食堂")
    wang = make_judge(contest, "wang@example.org", name="王评委", organization="郑州大学")
    li = make_judge(contest, "li@example.org", name="李评委", organization="河南大学")
    mine, theirs = assign(proposal, wang, li, actor=organizer)
    review(mine, 8, 8, 8, comment="需求清楚")
    review(theirs, 6, 6, 6, comment="预算偏高")
    auth.login(wang)
    page = client.get(f"/judge/assignments/{mine.id}").get_data(True)
    printed = re.sub(r"<nav\b.*?</nav>", "", page, flags=re.S)   # the menu does not print
    assert "社区助老食堂" in printed
    for name in ("王评委", "李评委", "wang@example.org", "li@example.org", "郑州大学", "河南大学",
                 "预算偏高"):
        assert name not in printed, name
