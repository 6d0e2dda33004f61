"""The server-error report of `make security` and the load tests (bench/server_log.py): every
error it counts comes with its route, request id and traceback."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from server_log import server_errors, summary  # noqa: E402

LOG = """\
{"request_id": "aaa", "method": "GET", "route": "/", "status": 200, "duration_ms": 1.0}
[2026-12-02 00:00:00,123] ERROR in app: Exception on /proposals/5/submit [POST] [request bbb]
Traceback (most recent call last):
  File "x.py", line 1, in f
sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked
[SQL: UPDATE x]
(Background on this error at: https://sqlalche.me/e/20/e3q8)
{"request_id": "bbb", "method": "POST", "route": "/proposals/<int:proposal_id>/submit", \
"status": 500, "duration_ms": 1.0}
[2026-12-02 00:00:01 +0000] [123] [ERROR] Error handling request /admin/x
Traceback (most recent call last):
  File "y.py", line 2, in g
ValueError: boom

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "z.py", line 3, in h
sqlalchemy.exc.PendingRollbackError: rollback
[2026-12-02 00:00:02,000] ERROR in database: after-commit action failed [request ccc]
Traceback (most recent call last):
  File "w.py", line 3, in h
OSError: disk
{"request_id": "ccc", "method": "POST", "route": "/register", "status": 302, "duration_ms": 1.0}
{"request_id": "ddd", "method": "GET", "route": "/healthz", "status": 503, "duration_ms": 1.0}
[2026-12-02 00:00:03 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:124)
"""


def test_each_error_is_counted_once_with_its_route_request_and_traceback():
    errors = server_errors(LOG)
    assert [summary(error) for error in errors] == [
        "POST /proposals/<int:proposal_id>/submit 500 request bbb: sqlalchemy.exc."
        "OperationalError: (sqlite3.OperationalError) database is locked",
        "? /admin/x (no answer logged) request ?: sqlalchemy.exc.PendingRollbackError: "
        "rollback",
        "POST /register 302 request ccc: OSError: disk",
        "GET /healthz 503 request ddd: (no traceback logged)",
        "? (route unknown) (no answer logged) request ?: [2026-12-02 00:00:03 +0000] [1] "
        "[CRITICAL] WORKER TIMEOUT (pid:124)",
    ]
    assert "ValueError: boom" in errors[1]["traceback"]
    assert "[SQL: UPDATE x]" in errors[0]["traceback"]


def test_a_quiet_log_has_none():
    assert server_errors('{"request_id": "a", "method": "GET", "route": "/", "status": 200}\n'
                         "[2026-12-02 00:00:00 +0000] [1] [INFO] Booting worker\n") == []


def _json_lines(*entries):
    import json
    return "".join(json.dumps(entry) + "\n" for entry in entries)


JSON_LOG = _json_lines(
    {"request_id": "aaa", "method": "GET", "route": "/", "status": 200, "level": "INFO",
     "logger": "portal.access"},
    {"message": "Exception on /proposals/5/submit [POST] [request bbb]", "level": "ERROR",
     "logger": "portal", "request_id": "bbb",
     "exception": "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n"
                  "sqlalchemy.exc.OperationalError: database is locked"},
    {"request_id": "bbb", "method": "POST", "route": "/proposals/<int:proposal_id>/submit",
     "status": 500, "level": "INFO", "logger": "portal.access"},
    {"message": "Error handling request /admin/x", "level": "ERROR", "logger": "gunicorn.error",
     "exception": "Traceback (most recent call last):\n  File \"z.py\", line 3, in h\n"
                  "sqlalchemy.exc.PendingRollbackError: rollback"},
    {"message": "WORKER TIMEOUT (pid:124)", "level": "CRITICAL", "logger": "gunicorn.error"},
    {"message": "Booting worker with pid: 125", "level": "INFO", "logger": "gunicorn.error"},
    {"message": "Worker (pid:126) was sent SIGKILL! Perhaps out of memory?", "level": "ERROR",
     "logger": "gunicorn.error"},
    {"message": "concurrent change refused (409)", "level": "WARNING", "logger": "portal.errors",
     "request_id": "eee"})


def test_the_portals_json_lines_are_read_too():
    """portal.logging_config writes every record as JSON, its traceback in "exception"."""
    assert [summary(error) for error in server_errors(JSON_LOG)] == [
        "POST /proposals/<int:proposal_id>/submit 500 request bbb: sqlalchemy.exc."
        "OperationalError: database is locked",
        "? /admin/x (no answer logged) request ?: sqlalchemy.exc.PendingRollbackError: "
        "rollback",
        "? (route unknown) (no answer logged) request ?: WORKER TIMEOUT (pid:124)",
    ]
