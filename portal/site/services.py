"""Site settings and organizer accounts."""
from flask import g

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import SiteSettings, User

SETTING_FIELDS = ("site_name_zh", "site_name_en", "footer_text", "icp_number", "contact",
                  "organizers_require_two_factor")


def site_settings():
    """The settings row, read once per request (an unsaved default when none exists yet)."""
    if "site_settings" not in g:
        g.site_settings = db.session.get(SiteSettings, 1) or SiteSettings(id=1, version=0)
    return g.site_settings


def save_settings(actor, data, expected_version):
    settings = db.session.get(SiteSettings, 1)
    if settings is None:
        settings = SiteSettings(id=1, version=0)
        db.session.add(settings)
    if str(expected_version) != str(settings.version):
        raise DomainError(_l("Someone else changed the settings after you opened the page. "
                             "Reload the page and make your changes again."))
    for field in SETTING_FIELDS:
        value = data[field]
        setattr(settings, field, value.strip() or None if isinstance(value, str) else value)
    settings.version += 1
    db.session.flush()
    record(actor, "site.settings_changed", target=settings,
           fields={field: str(getattr(settings, field)) for field in SETTING_FIELDS})
    g.pop("site_settings", None)
    return settings


def organizers():
    return db.session.scalars(db.select(User).filter_by(is_organizer=True)
                              .order_by(User.active.desc(), User.email)).all()


def set_organizer_active(actor, user, active):
    """Deactivate an organizer account, never the last active one; or reactivate it."""
    if not user.is_organizer:
        raise DomainError(_l("This account is not an organizer."))
    if not active:
        others = db.session.scalar(db.select(db.func.count(User.id)).filter(
            User.is_organizer.is_(True), User.active.is_(True), User.id != user.id))
        if not others:
            raise DomainError(_l("This is the last active organizer account: invite another "
                                 "organizer before deactivating it."))
    user.active = active
    db.session.flush()
    record(actor, "organizer.activated" if active else "organizer.deactivated", target=user,
           organizer=user.id)
