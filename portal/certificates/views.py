"""Organizer pages of the certificates: the seal, team members' certificates, revoking, printing."""
from flask import abort, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from portal import policy
from portal.accounts.sessions import require_recent_login
from portal.certificates import printing, seal, services
from portal.certificates.forms import MemberCertificatesForm, RemoveSealForm, RevokeForm, \
    SealForm
from portal.contests.services import contest_by_slug
from portal.database import writes_on_get
from portal.errors import DomainError
from portal.exports.services import PDF_MIMETYPE
from portal.exports.sheets import contest_awards
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Certificate, Permission
from portal.prepared.responses import send_or_prepare
from portal.web import commit_and_redirect, organizer_blueprint, send_written, show_domain_error

bp = organizer_blueprint("certificates", __name__, url_prefix="/admin")


def _member_form(contest):
    form = MemberCertificatesForm()
    locale = current_locale()
    form.award.choices = [SelectChoice(award.id, f"{award.proposal.reference} · "
                                      f"{award.proposal.title} · "
                                      f"{award.tier.localized('name', locale)}")
                          for award in contest_awards(contest)]
    return form


def _page(contest, seal_form=None, member_form=None, status=200):
    return render_template(
        "certificates/index.html", contest=contest, seal_form=seal_form or SealForm(),
        remove_seal_form=RemoveSealForm(), member_form=member_form or _member_form(contest),
        revoke_form=RevokeForm(), has_seal=seal.has_seal(contest),
        certificates=services.contest_certificates(contest),
        holder_name=services.holder_name), status


@bp.route("/contests/<slug>/certificates")
def index(slug):
    """The contest's certificates with their numbers and status, and the forms that act on them."""
    return _page(contest_by_slug(slug))


@bp.route("/contests/<slug>/certificates/seal", methods=["POST"])
def upload_seal(slug):
    """Replace the seal printed on the contest's certificates."""
    contest = contest_by_slug(slug)
    form = SealForm()
    if form.validate_on_submit():
        try:
            services.replace_seal(current_user, contest, form.seal.data.stream)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The seal was saved; it is printed on every "
                                         "certificate from now on."), "certificates.index",
                                       slug=slug)
    return _page(contest, seal_form=form, status=422)


@bp.route("/contests/<slug>/certificates/seal/remove", methods=["POST"])
def remove_seal(slug):
    """Print the certificates without a seal from now on."""
    contest = contest_by_slug(slug)
    if RemoveSealForm().validate_on_submit():
        services.delete_seal(current_user, contest)
        return commit_and_redirect(_("The seal was removed."), "certificates.index", slug=slug)
    return redirect(url_for("certificates.index", slug=slug))


@bp.route("/contests/<slug>/certificates/seal.png")
def seal_image(slug):
    """The current seal, shown to the organizers on the certificates page."""
    contest = contest_by_slug(slug)
    if not seal.has_seal(contest):
        abort(404)
    response = send_file(seal.seal_path(contest), mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/contests/<slug>/certificates/members", methods=["POST"])
def issue_for_members(slug):
    """A certificate for each named team member of an award, on their request."""
    contest = contest_by_slug(slug)
    form = _member_form(contest)
    if form.validate_on_submit():
        try:
            issued = services.issue_member_certificates(current_user, contest, form.award.data,
                                                        form.names.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(
                ngettext("%(num)d certificate issued.", "%(num)d certificates issued.",
                         len(issued)) if issued else
                _("Every name already has a certificate for this award."),
                "certificates.index", slug=slug)
    return _page(contest, member_form=form, status=422)


def _certificate_or_404(certificate_id):
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
def revoke(certificate_id):
    """Revoke a certificate, with the reason: its verification page shows it as revoked."""
    certificate = _certificate_or_404(certificate_id)
    slug = certificate.contest.slug
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(current_user, certificate, form.reason.data)
        except DomainError as error:
            show_domain_error(error)
        else:
            return commit_and_redirect(_("Certificate %(number)s was revoked.",
                                         number=certificate.number),
                                       "certificates.index", slug=slug)
    else:
        for errors in form.errors.values():
            show_domain_error(DomainError(errors[0]))
    return redirect(url_for("certificates.index", slug=slug))


@bp.route("/certificates/<int:certificate_id>.pdf")
@require_recent_login
@writes_on_get
def single(certificate_id):
    """One certificate printed again (e.g. a team member's, on request)."""
    certificate = _certificate_or_404(certificate_id)
    if certificate.is_revoked:
        abort(404)
    return send_written(lambda out: printing.write_certificates(
        current_user, certificate.contest, out, [certificate]), PDF_MIMETYPE)


@bp.route("/contests/<slug>/exports/certificates.pdf")
@require_recent_login
@writes_on_get
def print_all(slug):
    """A numbered certificate per winner and named team member, one page each."""
    contest = contest_by_slug(slug)
    themes = policy.theme_scope(current_user, contest, Permission.EXPORT)
    try:
        return send_or_prepare(
            slug, printing.certificates_are_many(contest, themes),
            lambda: printing.prepare_certificates(current_user, contest, themes),
            lambda out: printing.write_certificates(current_user, contest, out, themes=themes),
            PDF_MIMETYPE)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("exports.index", slug=slug))
