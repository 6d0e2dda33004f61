"""Jinja helpers: localized names, local times, status labels."""
from flask import request, url_for
from flask_babel import format_decimal, format_timedelta
from flask_login import current_user

from portal import policy
from portal.i18n import SUPPORTED, current_locale, join_list, local_datetime, localized
from portal.policy import menu_roles
from portal.markdown_text import render_markdown
from portal.labels import contest_status_label, next_step, proposal_event_label, \
    proposal_status_label
from portal.models import utcnow
from portal.proposals.attachments import neutral_name
from portal.proposals.services import can_change
from portal.contests.setup.forms import PART_TITLES
from portal.rules.contest import greeting, judge_name
from portal.rules.criteria import kind_of
from portal.layout import layout_part
from portal.site_settings import site_settings


def time_left(deadline):
    """'3 days' until the deadline, or None once it has passed."""
    remaining = deadline - utcnow()
    if remaining.total_seconds() <= 0:
        return None
    return format_timedelta(remaining, granularity="minute", threshold=1.5)


def file_size(size):
    """A size in bytes as '340 KB' or '2.5 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def attachment_name(attachment, blind):
    return neutral_name(attachment) if blind else attachment.original_name


def money(value):
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00")


# A label's colon in each language: full-width in Chinese, with no space after it.
LABEL_COLONS = {"zh_CN": "：", "en": ": "}


def labelled(label):
    """'截止时间：' or 'Deadline: ', for a label followed by its value."""
    return f"{label}{LABEL_COLONS.get(current_locale(), ': ')}"


def site_name(settings):
    """The configured site name in the current language, or None for the default."""
    if current_locale() == "en" and settings.site_name_en:
        return settings.site_name_en
    return settings.site_name_zh


def may_open(endpoint, **view_args):
    """May the signed-in account open this organizer page: for menus and links."""
    return policy.opens(current_user, endpoint, **view_args)


def query_args(flat=True):
    """The query string's arguments that url_for may be given back: those named like the view's
    own arguments (a `slug`) or like url_for's options (`_external`, `_scheme`, ...) are left
    out, since passed on they would break the link (500) or point it elsewhere."""
    taken = set(request.view_args or {})
    return {key: value for key, value in request.args.to_dict(flat=flat).items()
            if key not in taken and not key.startswith("_")}


def page_url(number):
    """This page's address, its other arguments kept, showing page `number`."""
    arguments = query_args(flat=False)
    arguments["page"] = number
    return url_for(request.endpoint, **(request.view_args or {}), **arguments)


def install_template_helpers(app):
    app.context_processor(lambda: {"site": site_settings()})
    app.jinja_env.globals.update(
        query_args=query_args,
        loc=localized,
        menu_roles=menu_roles,
        languages=SUPPORTED,
        current_locale=current_locale,
        time_left=time_left,
        attachment_name=attachment_name,
        next_step=next_step,
        part_titles=PART_TITLES,
        can_change=can_change,
        site_name=site_name,
        may_open=may_open,
        page_url=page_url,
        judge_name=judge_name,
        greeting=greeting,
        criterion_summary=lambda criterion: kind_of(criterion).summary(criterion),
        layout_part=layout_part,
    )
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        labelled=labelled,
        proposal_status=proposal_status_label,
        proposal_event=proposal_event_label,
        contest_status=contest_status_label,
        money=money,
        filesize=file_size,
        markdown=render_markdown,
        join_list=join_list,
    )
