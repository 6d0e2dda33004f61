"""Reading the site settings, which the layout and the accounts need on every request.

A signed-in request reads the settings row in the same statement that loads its user
(portal.accounts.services.load_user), so every worker sees a saved change on its next
request, with no statement of its own and no cache to invalidate. What is kept per process is
only the small read-only snapshot made of those values, reused while they are equal.
"""
from dataclasses import dataclass

from flask import g

from portal.extensions import db
from portal.models import SiteSettings

# The columns the portal reads (everything but the id): the values are the snapshot's key.
COLUMNS = ("site_name_zh", "site_name_en", "footer_text", "icp_number", "contact",
           "organizers_require_two_factor", "version")


@dataclass(frozen=True, slots=True)
class SiteSnapshot:
    """The settings as read at the start of a request; saving goes through
    portal.console.settings, never through this object."""

    site_name_zh: str | None = None
    site_name_en: str | None = None
    footer_text: str | None = None
    icp_number: str | None = None
    contact: str | None = None
    organizers_require_two_factor: bool = False
    version: int = 0
    id: int = 1


# Values -> snapshot: a handful of entries in a process's life (one per saved change).
_snapshots = {}
_MAX_SNAPSHOTS = 64


def columns():
    """The settings' columns, to read them inside another statement (the user's)."""
    return [getattr(SiteSettings, name) for name in COLUMNS]


def snapshot_of(values):
    """The snapshot of a row's values (COLUMNS' order); all None: no row yet, the defaults."""
    values = tuple(values)
    snapshot = _snapshots.get(values)
    if snapshot is None:
        if values[-1] is None:   # no settings row: an unsaved default
            snapshot = SiteSnapshot()
        else:
            fields = dict(zip(COLUMNS, values))
            fields["organizers_require_two_factor"] = bool(fields["organizers_require_two_factor"])
            snapshot = SiteSnapshot(**fields)
        if len(_snapshots) >= _MAX_SNAPSHOTS:
            _snapshots.clear()
        _snapshots[values] = snapshot
    return snapshot


def remember(values):
    """The settings read with the request's user: site_settings() needs no statement."""
    g.site_settings = snapshot_of(values)


def site_settings():
    """The settings as this request read them (one primary-key read when no signed-in user's
    statement brought them)."""
    if "site_settings" not in g:
        row = db.session.execute(db.select(*columns()).where(SiteSettings.id == 1)).first()
        g.site_settings = snapshot_of(row if row is not None else (None,) * len(COLUMNS))
    return g.site_settings
