"""Query rows are read by column name: a column added to a statement, anywhere, changes
nothing that reads it."""
from sqlalchemy import create_engine, text

from portal.database import picked
from portal.results.ranking import _ApplicantView, _conflict_views, _ProposalView


def _rows(sql):
    with create_engine("sqlite://").connect() as connection:
        return connection.execute(text(sql)).all()


def test_picked_reads_the_named_columns_in_the_order_asked():
    rows = _rows("SELECT 1 AS id, 'a' AS added, 2 AS b UNION ALL SELECT 3, 'c', 4")
    assert picked(rows, "b", "id") == [(2, 1), (4, 3)]
    assert picked(rows, "added") == [("a",), ("c",)]
    assert picked([], "id", "b") == []


def test_the_ranking_s_conflict_check_reads_its_columns_by_name():
    # The columns in another order than _round_facts selects them, with one more among them.
    rows = _rows("SELECT 'owner@ngo.test' AS applicant_email, 7 AS id, 'Title' AS title, "
                 "'Our NGO' AS organization, NULL AS contact_email, "
                 "'Their NGO' AS applicant_organization "
                 "UNION ALL SELECT NULL, 8, 'Other', NULL, 'c@ngo.test', NULL")
    assert _conflict_views(rows) == [
        _ProposalView(7, "Our NGO", None, _ApplicantView("owner@ngo.test", "Their NGO")),
        _ProposalView(8, None, "c@ngo.test", None),
    ]
