"""The invitation form of a contest's page (judges, theme chairs), posted: invite, then go on.
Here rather than in portal.web, which every package imports and which imports none of them."""
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import invitations
from portal.errors import DomainError
from portal.i18n import current_locale
from portal.web import commit_and_redirect, show_domain_error


def invite_from_form(role, contest, form, endpoint):
    """The contest's invitation form (judges, theme chairs) posted and valid: invite, then
    go to `endpoint`; None when the form is not posted, not valid or refused (its errors
    then show on it)."""
    if not form.validate_on_submit():
        return None
    try:
        invitations.invite(current_user, role, form.email.data, contest=contest,
                           display_name=form.display_name.data,
                           organization=form.organization.data, theme_codes=form.themes.data,
                           locale=current_locale())
    except DomainError as error:
        show_domain_error(error, form)
        return None
    return commit_and_redirect(_("The invitation has been emailed to %(email)s.",
                                 email=form.email.data), endpoint, slug=contest.slug)
