"""Domain errors raised by services, and friendly error pages."""
from flask import render_template, request
from flask_wtf.csrf import CSRFError

from portal.rescue import rescue_for_request


class DomainError(Exception):
    """A rule of the contest refused an action; `message` is shown to the user as it is."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _error_page(status):
    def handler(error):
        return render_template(f"errors/{status}.html", error=error), status
    return handler


def _csrf_failed(error):
    rescue = rescue_for_request()
    if rescue is not None:  # the form again, with what was typed; nothing is saved
        return rescue(**(request.view_args or {}))
    return render_template("errors/400.html", error=error, csrf=True), 400


def install_error_handlers(app):
    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, _error_page(status))
    app.register_error_handler(CSRFError, _csrf_failed)
