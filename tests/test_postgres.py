"""Says visibly whether this run also covered PostgreSQL."""
import os

import pytest

from portal.extensions import db


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="PostgreSQL run skipped: TEST_DATABASE_URL is not set "
                           "(e.g. postgresql://postgres@127.0.0.1:5432/postgres)")
def test_the_suite_runs_on_postgresql(app_context):
    assert db.engine.dialect.name == "postgresql"
    assert db.engine.url.database.startswith("portal_test_")
