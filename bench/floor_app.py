"""Floor of the pages: a bare Flask app, served by the same gunicorn as the portal.

    gunicorn --pythonpath bench floor_app:app     (BENCH_DSN and BENCH_CONTEST in the environment)

/rows runs one indexed query and renders 20 rows; /ranked computes the official ranking bare
(bench/floor_ranking.py) and renders its first 250 rows; /upload stores a posted file and a row
(the deadline surge's floor). No session, no login, no ORM, no layout: what Flask, Jinja, the
database driver and gunicorn cost on their own.
"""
import hashlib
import os
import sys
import uuid
from pathlib import Path

from flask import Flask, request

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import connect, placeholder  # noqa: E402
from floor_ranking import criteria_of, fetch_scores, rank_standardized, round_of  # noqa: E402

app = Flask(__name__)
_state = {}

ROWS = app.jinja_env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ title }}</title></head><body><table>
{% for row in rows %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td><td>{{ row[2] }}</td>
<td>{{ row[3] }}</td><td>{{ row[4] }}</td></tr>
{% endfor %}</table></body></html>""")


def prepare(dsn):
    """The floor's own table for uploads, made once before the workers start."""
    connection = connect(dsn)
    connection.execute("CREATE TABLE IF NOT EXISTS bench_floor_uploads "
                       "(name VARCHAR(40), sha256 VARCHAR(64), size INTEGER)")
    connection.commit()
    connection.close()


def _connection():
    if "connection" not in _state:
        connection = connect(os.environ["BENCH_DSN"])
        if placeholder(connection) == "%s":
            connection.autocommit = True
        _state["connection"] = connection
        contest = os.environ.get("BENCH_CONTEST", "bench")
        _state["round_id"], _state["contest_id"] = round_of(connection, contest)
        _state["criteria"] = criteria_of(connection, _state["contest_id"])
        _state["uploads"] = Path(os.environ.get("PORTAL_INSTANCE_PATH", "/tmp")) / "floor-uploads"
        _state["uploads"].mkdir(exist_ok=True)
    return _state["connection"]


@app.route("/healthz")
def healthz():
    _connection()
    return "ok"


@app.route("/rows")
def rows():
    """One indexed query (proposals of a contest), 20 rows rendered."""
    connection = _connection()
    p = placeholder(connection)
    found = connection.execute(
        f"SELECT reference, title, organization, status, budget_total FROM proposals "
        f"WHERE contest_id = {p} ORDER BY id LIMIT 20", (_state["contest_id"],)).fetchall()
    return ROWS.render(title="rows", rows=found)


@app.route("/ranked")
def ranked():
    """The official ranking computed bare, its first 250 rows rendered with their titles."""
    connection = _connection()
    ids, scores, ranks = rank_standardized(fetch_scores(connection, _state["round_id"]),
                                           _state["criteria"])
    first = ids[:250].tolist()
    p = placeholder(connection)
    marks = ", ".join([p] * len(first))
    titles = dict((row[0], row[1:]) for row in connection.execute(
        f"SELECT id, reference, title FROM proposals WHERE id IN ({marks})", first).fetchall())
    lines = [(int(rank), *titles[pid], f"{score:.2f}", pid)
             for pid, score, rank in zip(first, scores[:250].tolist(), ranks[:250].tolist())]
    return ROWS.render(title="ranked", rows=lines)


@app.route("/upload", methods=["POST"])
def upload():
    """A posted file written to disk with its checksum, and a row stored: the surge's floor."""
    connection = _connection()
    content = request.files["file"].read()
    name = uuid.uuid4().hex
    path = _state["uploads"] / name
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    digest = hashlib.sha256(content).hexdigest()
    p = placeholder(connection)
    connection.execute(f"INSERT INTO bench_floor_uploads (name, sha256, size) "
                       f"VALUES ({p}, {p}, {p})", (name, digest, len(content)))
    if p == "?":
        connection.commit()
    return digest
