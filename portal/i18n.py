"""Language choice: the user's pick, remembered; else the browser's; else Chinese."""
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import format_datetime, get_locale, get_translations, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

SUPPORTED = {"zh_CN": "中文", "en": "English"}


class LazyText(LazyString):
    """A lazy string that is text, escaped wherever HTML is made of it.

    Flask-Babel's LazyString declares itself safe HTML (`__html__` returns the text as it is),
    so a lazy message with a name put into it, such as "%(judge)s is not an active judge",
    reached pages unescaped: in templates, form errors and flashed messages (Flask stores
    anything with `__html__` in the session as Markup). The library's class stays as it is.
    """

    def __html__(self):
        return escape(str(self))


def lazy_gettext(string, **variables):
    """`gettext` when shown, in the language of the request that shows it; always text."""
    return LazyText(gettext, string, **variables)


def N_(message):
    """Mark a string for extraction where it must stay a plain string (translated when shown)."""
    return message


def normalize_locale(value):
    """Map a language tag such as `zh-CN`, `zh-Hans` or `en-US` onto a supported locale."""
    if not value:
        return None
    tag = value.replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


def select_locale():
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = normalize_locale(session.get("locale"))
    if chosen:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        chosen = normalize_locale(current_user.locale)
        if chosen:
            return chosen
    for tag, _quality in request.accept_languages:
        chosen = normalize_locale(tag)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def template_translations():
    """Flask-Babel's translations for the current locale, found once per request and locale.

    Flask-Babel looks the context, the locale and its name up again for every string; a page
    has a few dozen (the layout's menu, buttons and footer alone a dozen). The translations are
    kept beside Flask-Babel's own locale (its `g._flask_babel`) with the locale object they
    belong to: force_locale (a mail in the recipient's language) and refresh() replace that
    object, and the next string looks the translations up again.
    """
    if not has_app_context():
        return get_translations()
    state = g.get("_flask_babel")
    memo = getattr(state, "portal_translations", None)
    if memo is not None and memo[0] is getattr(state, "babel_locale", None):
        return memo[1]
    translations = get_translations()   # sets Flask-Babel's state and locale
    state = g._flask_babel
    state.portal_translations = (getattr(state, "babel_locale", None), translations)
    return translations


def install_template_gettext(app):
    """Templates translate through template_translations (after Flask-Babel's init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: template_translations().ugettext(string),
        ngettext=lambda singular, plural, n: template_translations().ungettext(
            singular, plural, n),
        pgettext=lambda context, string: template_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: template_translations().unpgettext(
            context, singular, plural, n),
        newstyle=True)


def select_timezone():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


LIST_SEPARATORS = {"zh_CN": "、", "en": ", "}


def join_list(items, locale=None):
    """Items joined as the language lists them: 「安老、助学」, "Elderly care, Education aid"."""
    return LIST_SEPARATORS[locale or current_locale()].join(str(item) for item in items)


def current_locale():
    """The request's locale as one of SUPPORTED ('zh_CN' or 'en')."""
    return normalize_locale(str(get_locale())) or "zh_CN"


def localized(obj, field="name"):
    """The field in the current language, falling back to Chinese."""
    if obj is None:
        return ""
    return obj.localized(field, current_locale())


def local_datetime(value):
    """A stored UTC time shown in Asia/Shanghai."""
    if value is None:
        return ""
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def part_names(parts, locale):
    """Theme (or entrant type, tier) id -> its name in the reader's language."""
    return {part.id: part.localized("name", locale) for part in parts}
