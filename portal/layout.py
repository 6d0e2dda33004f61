"""The layout's stylesheets, menu and footer, rendered once per process for each variant.

Every page renders the same menu and footer around its own content: a dozen links, a dozen
translated strings and the site's settings, about a third of what an otherwise empty signed-in
page costs. What they show depends only on the language, the menu's roles (portal.policy.
menu_roles; none when signed out), the site settings' snapshot and the path prefix the portal
is served under, so each variant is rendered once and kept. Two things in the menu are the
request's own, the CSRF token of its forms and the language form's return address: the kept
text has a slot for each, filled in on every request.

Nothing is kept that a request does not read afresh: the roles and the settings come with the
request's user (one statement), so a saved setting or a new role shows on every worker's next
request with nothing to invalidate. The templates change only with a new release, which
restarts the workers.
"""
from flask import current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.generations import LatestComputations
from portal.i18n import current_locale
from portal.policy import menu_roles
from portal.site_settings import site_settings

# Slots for the request's own values. They contain "<", which escaping turns into "&lt;", so
# no text a user typed (a site name, a footer) can ever put a slot into the kept text.
CSRF_SLOT = Markup("<csrf-slot>")
LANGUAGE_ACTION_SLOT = Markup("<language-action-slot>")
# A handful of variants in practice (2 languages x 5 role sets x each saved setting).
_MAX_VARIANTS = 256
EXTENSION = "portal.layout"


def _variant(part):
    """What the part's text depends on."""
    roles = menu_roles(current_user) if part == "nav" else None
    return part, current_locale(), request.script_root, roles, site_settings()


def _render(part, roles):
    """The part as Jinja renders it, every value in it escaped (autoescape), as safe text."""
    rendered = render_template(f"layout/{part}.html", nav_roles=roles, csrf=CSRF_SLOT,
                               language_action=LANGUAGE_ACTION_SLOT)
    return Markup(rendered)  # nosec B704  # nosemgrep: markup-on-user-data


def _kept_texts():
    """The app's kept texts; None while templates reload on change (development)."""
    if current_app.jinja_env.auto_reload:
        return None
    kept = current_app.extensions.get(EXTENSION)
    if kept is None:
        kept = current_app.extensions[EXTENSION] = LatestComputations(_MAX_VARIANTS)
    return kept


def layout_part(part):
    """The part's text for this request: kept per variant, the request's slots filled."""
    key = _variant(part)
    kept = _kept_texts()
    text = kept.get(key) if kept is not None else None
    if text is None:
        text = _render(part, key[3])
        if kept is not None:
            kept.put(key, text)
    if part == "nav":
        # Markup's replace escapes what it puts in (the token, the address).
        action = url_for("accounts.set_language", next=request.full_path)
        text = text.replace(CSRF_SLOT, generate_csrf()).replace(LANGUAGE_ACTION_SLOT, action)
    return text
