"""`/healthz` for load balancers, and one structured log line per request."""
import json
import logging
import re
import secrets
import time

from flask import Blueprint, g, has_request_context, jsonify, request
from sqlalchemy import text

from portal.extensions import db

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("portal.access")


@bp.route("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


# A proxy's request id is kept when it is a plain token: it goes into every log line.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def start_request_clock():
    g.request_started = time.perf_counter()
    offered = request.headers.get("X-Request-Id")
    g.request_id = offered if offered and REQUEST_ID_RE.fullmatch(offered) \
        else secrets.token_hex(16)


class _FieldsAsJson:
    """A log message made of the request line's fields only when a handler reads it as text
    (the JSON formatter writes the fields themselves): the line is serialized once."""

    __slots__ = ("fields",)

    def __init__(self, fields):
        self.fields = fields

    def __str__(self):
        return json.dumps(self.fields)


def log_request(response):
    """One JSON line: id, method, route, status, duration. No query string, no personal data."""
    started = g.get("request_started")
    if started is not None:
        request_id = g.request_id
        if access_log.isEnabledFor(logging.INFO):
            rule = request.url_rule
            fields = {
                "request_id": request_id, "method": request.method,
                "route": rule.rule if rule is not None else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            access_log.info(_FieldsAsJson(fields), extra={"fields": fields})
        if "X-Request-Id" not in response.headers:
            response.headers["X-Request-Id"] = request_id
    return response


def _with_request_id(make_record):
    """A log record factory: an error or exception logged during a request names the request
    (the id in its access line and X-Request-Id), whichever logger or handler writes it."""
    def factory(*args, **kwargs):
        record = make_record(*args, **kwargs)
        if (record.exc_info or record.levelno >= logging.ERROR) and has_request_context() \
                and g.get("request_id"):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # left for the handler to report, as usual
                return record
            record.msg, record.args = f"{message} [request {g.request_id}]", None
        return record
    factory.adds_request_id = True
    return factory


def install_request_logging(app):
    if not getattr(logging.getLogRecordFactory(), "adds_request_id", False):
        logging.setLogRecordFactory(_with_request_id(logging.getLogRecordFactory()))
    app.before_request(start_request_clock)
    app.after_request(log_request)
