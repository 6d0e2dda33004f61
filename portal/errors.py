"""Domain errors raised by services, and friendly error pages."""
import logging

from flask import g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from portal.database import only_reads_from_now
from portal.extensions import db
from portal.rescue import rescue_for_request

log = logging.getLogger(__name__)
# What two requests changing the same thing at the same moment raise when the loser's view of
# it is out of date: an older version (optimistic locking), a row another request deleted, or a
# unique key another request took first.
CONCURRENT_CHANGES = (StaleDataError, ObjectDeletedError, IntegrityError)
FALLBACK_500 = "500 Internal Server Error: the portal had a problem; please try again.\n"


class DomainError(Exception):
    """A rule of the contest refused an action; `message` is shown to the user as it is."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _render_error(template, status, **context):
    """The error page, after rolling back: a failed transaction must not break the page (its
    context processors read the database), and nothing of a failed request may be committed."""
    db.session.rollback()
    only_reads_from_now()
    return render_template(template, **context), status


def _error_page(status):
    def handler(error):
        return _render_error(f"errors/{status}.html", status, error=error)
    return handler


def _server_error(error):
    """The 500 page; when even that cannot be rendered (the database is down), plain text, so
    that the answer and its log line still come from the portal."""
    try:
        return _render_error("errors/500.html", 500, error=error)
    except Exception:
        log.exception("the 500 page could not be rendered")
        return FALLBACK_500, 500, {"Content-Type": "text/plain; charset=utf-8"}


def _concurrent_change(error):
    """409: another window or request changed the same thing first (ASVS 11.1.6)."""
    log.warning("concurrent change refused (409) on %s %s [request %s]: %s", request.method,
                request.path, g.get("request_id"), str(error.args[0] if error.args else error)
                .splitlines()[0][:200])
    return _render_error("errors/409.html", 409, error=error)


def _csrf_failed(error):
    rescue = rescue_for_request()
    if rescue is not None:  # the form again, with what was typed; nothing is saved
        return rescue(**(request.view_args or {}))
    return _render_error("errors/400.html", 400, error=error, csrf=True)


def install_error_handlers(app):
    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, _error_page(status))
    app.register_error_handler(500, _server_error)
    for exception in CONCURRENT_CHANGES:
        app.register_error_handler(exception, _concurrent_change)
    app.register_error_handler(CSRFError, _csrf_failed)
