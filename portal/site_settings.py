"""Reading the site settings, which the layout and the accounts need on every request."""
from flask import g

from portal.extensions import db
from portal.models import SiteSettings


def site_settings():
    """The settings row, read once per request (an unsaved default when none exists yet)."""
    if "site_settings" not in g:
        g.site_settings = db.session.get(SiteSettings, 1) or SiteSettings(id=1, version=0)
    return g.site_settings
