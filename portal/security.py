"""HTTP security headers: a strict Content-Security-Policy from day one (no inline script)."""
from flask import abort, current_app, request
from flask_login import current_user

from portal.static_files import is_static_request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
])


FIXED_HEADERS = (("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                 ("X-Content-Type-Options", "nosniff"),
                 ("X-Frame-Options", "DENY"),
                 ("Referrer-Policy", "same-origin"))
PRODUCTION_HEADERS = FIXED_HEADERS + (
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)


def set_security_headers(response):
    """The fixed headers (made once, at import), unless a view set its own; no-store for what
    may hold personal data."""
    headers = response.headers
    # Pages seen by a signed-in person, and every download, may hold personal data.
    if not is_static_request() and (current_user.is_authenticated or
                                    "Content-Disposition" in headers):
        headers["Cache-Control"] = "no-store"
    fixed = PRODUCTION_HEADERS if current_app.config.get("PORTAL_ENV") == "production" \
        else FIXED_HEADERS
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for name, value in fixed if name.lower() not in present])
    return response


def refuse_nul_bytes():
    """A before_request hook: 400 for a NUL byte in the path, the query, a form field or a file
    name. No text needs one, and PostgreSQL refuses to store or even compare them."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        texts += [*request.form.keys(), *request.form.values()]
        texts += [upload.filename or "" for upload in request.files.values()]
    if any("\x00" in text for text in texts):
        abort(400)
