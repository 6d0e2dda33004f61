"""Static files under fingerprinted URLs (`?v=` a digest of the content), cached for a year.

A changed file gets a new URL, so browsers may keep every version for as long as they like;
nginx serves /static/ the same way in production (docs/deployment.md).
"""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import request

ONE_YEAR = 365 * 24 * 3600


def _digest(path):
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return None   # a missing file keeps a plain URL (and gets its 404)


_cached_digest = lru_cache(maxsize=512)(_digest)


def is_static_request():
    """Static files are public: no session, user or database work is needed to serve them."""
    return request.endpoint == "static"


def install_static_fingerprints(app):
    # In debug mode files change under the running server: read them again every time.
    digest = _digest if app.debug else _cached_digest

    @app.url_defaults
    def add_fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = digest(str(Path(app.static_folder) / values["filename"]))
            if version:
                values["v"] = version

    @app.after_request
    def cache_fingerprinted(response):
        if is_static_request() and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
