"""Exports of a large contest, prepared by a job (portal.prepared) rather than in the request:
the threshold that decides it, what is written when the file is asked for, and the builders."""
from flask import current_app
from sqlalchemy import func

from portal.extensions import db
from portal.exports.services import build_export, find_round, record_export
from portal.exports.sheets import ExportOptions
from portal.i18n import lazy_gettext as _l
from portal.models import Proposal
from portal.prepared.services import builder, request_file


def threshold():
    """Above this many rows (proposals, awards), a file is prepared by a job."""
    return current_app.config["PORTAL_BACKGROUND_EXPORT_ROWS"]


def export_is_large(contest):
    """More proposals than PORTAL_BACKGROUND_EXPORT_ROWS: each sheet has about a row per
    proposal (the reviews sheet, several)."""
    count = db.session.scalar(db.select(func.count(Proposal.id))
                              .where(Proposal.contest_id == contest.id))
    return count > threshold()


def prepare_export(actor, contest, fmt, options):
    """Audit the export now (who took which data) and have a job write it."""
    record_export(actor, contest, fmt, options, prepared=True)
    themes = None if options.themes is None else sorted(options.themes)
    return request_file(actor, contest, fmt, round=options.contest_round.code,
                        judge_names=options.judge_names, comments=options.comments,
                        themes=themes)


def _theme_scope(themes):
    """The theme ids of a theme chair's export as stored in the request (a list), or None."""
    return None if themes is None else frozenset(themes)


def _export_builder(fmt):
    def build(actor, contest, arguments, out, progress):
        options = ExportOptions(find_round(contest, arguments["round"]),
                                judge_names=arguments["judge_names"],
                                comments=arguments["comments"],
                                themes=_theme_scope(arguments.get("themes")))
        return build_export(contest, fmt, options, out, progress)
    return build


for _fmt, _name in (("xlsx", _l("Workbook (XLSX)")), ("zip", _l("CSV files (ZIP)")),
                    ("csv", _l("Ranking (CSV)"))):
    builder(_fmt, _name)(_export_builder(_fmt))
