"""Printing certificates: numbered A4 pages, with the seal and a QR code to verify each."""

from portal.certificates.seal import seal_path
from portal.certificates.services import holder_name, issue_certificates
from portal.exports import pdf
from portal.exports.background import threshold
from portal.exports.services import decision_date
from portal.exports.sheets import contest_awards
from portal.i18n import current_locale, lazy_gettext as _l
from portal.prepared.services import builder, request_file
from portal.web import printed_url


def write_certificates(actor, contest, out, certificates=None, progress=None, themes=None):
    """Numbered certificates (A4 landscape PDF) into `out`: `certificates`, else one per winner
    (of these theme ids, unless None) and per named team member, numbers given to the winners
    that had none; returns its name."""
    if certificates is None:
        certificates = issue_certificates(actor, contest, themes)
    seal = seal_path(contest)
    out.write(pdf.certificates(contest, [certificate_page(c) for c in certificates],
                               decision_date(contest), seal if seal.is_file() else None,
                               progress=progress))
    if len(certificates) == 1:
        return f"{contest.slug}-certificate-{certificates[0].number}.pdf"
    return f"{contest.slug}-certificates.pdf"


def certificate_page(certificate):
    locale = current_locale()
    return pdf.CertificatePage(
        number=certificate.number, holder=holder_name(certificate),
        is_team_member=certificate.holder is not None, title=certificate.proposal.title,
        tier_name=certificate.tier.localized("name", locale),
        verify_url=printed_url("verification.certificate", number=certificate.number))


def certificates_are_many(contest, themes=None):
    """More awards than the background threshold: at least a page each, printed by a job."""
    return len(contest_awards(contest, themes)) > threshold()


def prepare_certificates(actor, contest, themes=None):
    """Number the winners' certificates now (refused without awards); a job prints them,
    keeping a theme chair's themes."""
    issue_certificates(actor, contest, themes)
    return request_file(actor, contest, "certificates",
                        themes=None if themes is None else sorted(themes))


@builder("certificates", _l("Certificates (PDF)"))
def _print_prepared(actor, contest, arguments, out, progress):
    # The numbers were given when the file was asked for: this issues none, it only reads.
    themes = arguments.get("themes")
    return write_certificates(actor, contest, out, progress=progress,
                              themes=None if themes is None else frozenset(themes))
