"""Saving the site settings (reading them is portal.site_settings)."""
from flask import g

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import SiteSettings

SETTING_FIELDS = ("site_name_zh", "site_name_en", "footer_text", "icp_number", "contact",
                  "organizers_require_two_factor")


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
