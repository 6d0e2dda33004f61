"""`/healthz` for load balancers, and one structured log line per request."""
import json
import logging
import time
import uuid

from flask import Blueprint, g, jsonify, request
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


def start_request_clock():
    g.request_started = time.perf_counter()
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex


def log_request(response):
    """One JSON line: id, method, route, status, duration. No query string, no personal data."""
    started = g.get("request_started")
    if started is not None:
        fields = {
            "request_id": g.get("request_id"), "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        access_log.info(json.dumps(fields), extra={"fields": fields})
        response.headers.setdefault("X-Request-Id", g.get("request_id"))
    return response


def install_request_logging(app):
    app.before_request(start_request_clock)
    app.after_request(log_request)
