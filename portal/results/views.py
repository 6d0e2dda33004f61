"""The organizers' ranked list and judge statistics (the ranking's CSV is the audited export,
portal.exports)."""
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import policy
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Permission, User
from portal.pagination import page_of
from portal.results import advancement
from portal.results.forms import METHOD_LABELS, AdvanceForm, RankingSettingsForm
from portal.results.intervals import ranking_with_last_intervals
from portal.results.ranking import ranking_within_themes, round_ranking
from portal.results.charts import score_chart, severity_chart
from portal.results.columns import ranking_columns
from portal.results.services import chart_points, display_score, ranked_rows, table_rows
from portal.results.settings import save_ranking_settings
from portal.rules.contest import judge_name
from portal.scoring import METHODS, SUBMISSION_TIME
from portal.scoring.agreement import agreement_level
from portal.text_order import pinyin_key
from portal.web import commit_and_redirect, flash_form_errors, organizer_blueprint, \
    show_domain_error

bp = organizer_blueprint("results", __name__)
# The ranked list shows this many rows a page: short enough to read and chart, and 10,000 rows
# would take seconds to render.
ROWS_PER_PAGE = 50



def _round(contest):
    code = request.args.get("round")
    return next((r for r in contest.rounds if r.code == code), None) or contest.current_round


def _settings_form(contest):
    form = RankingSettingsForm(criteria=contest.criteria, locale=current_locale())
    if not form.is_submitted():
        form.ranking_method.data = contest.ranking_method
        form.ranking_boundary.data = contest.ranking_boundary
        for slot, code in zip(form.tie_break_slots(), contest.tie_break or []):
            slot.data = code
    return form


@bp.route("/admin/contests/<slug>/ranking")
def ranking(slug):
    """The ranked list of a round: overall or per theme, every method, intervals and flags."""
    contest = contest_by_slug(slug)
    ranked = ranking_with_last_intervals(contest, _round(contest)).within_themes(
        policy.theme_scope(current_user, contest, Permission.RANKING))
    theme_choices = policy.visible_themes(current_user, contest, Permission.RANKING)
    theme = next((t for t in theme_choices if t.code == request.args.get("theme")), None)
    entrant_type = next((e for e in contest.entrant_types
                         if e.code == request.args.get("entrant_type")), None)
    rows = ranked_rows(ranked, theme=theme, entrant_type=entrant_type,
                       sort=request.args.get("sort", "rank"))
    pagination = page_of(rows, request.args.get("page", 1, type=int), ROWS_PER_PAGE)
    official = ranked.result.official
    other_methods = [method for method in METHODS if method != official]
    # The columns the page shows, from the one definition the ranking sheet is written from.
    columns = {column.key: column for column in ranking_columns(ranked, current_locale())}
    rank_key = "theme_rank" if theme else "rank"
    shown = [rank_key, "title", "reference", "theme", "score", "reviews", f"score:{official}",
             "interval_low", "interval_high", "rank_low", "rank_high", "chance",
             *(f"score:{method}" for method in other_methods)]
    rows = table_rows(ranked, pagination.items, [columns[key] for key in shown])
    return render_template("results/ranking.html", contest=contest, ranked=ranked, rows=rows,
                           pagination=pagination, columns=columns, rank_key=rank_key,
                           chart=score_chart(chart_points(rows, theme), ranked.result.scale,
                                             ranked.boundary),
                           theme=theme, theme_choices=theme_choices,
                           entrant_type=entrant_type, other_methods=other_methods,
                           method_labels=METHOD_LABELS, criteria_by_id={
                               c.id: c for c in contest.criteria},
                           submission_time=SUBMISSION_TIME,
                           # Translated once, then filled in on each of the rows.
                           rank_range=_("rank %(low)s–%(high)s"),
                           settings_form=_settings_form(contest),
                           advance_form=AdvanceForm(),
                           next_round=advancement.next_round(contest, ranked.contest_round)
                           if policy.can_everywhere(current_user, Permission.RANKING, contest)
                           else None)


@bp.route("/admin/contests/<slug>/ranking/advance", methods=["POST"])
def advance(slug):
    """Advance the top N (overall or per theme), or the ticked proposals, to the next round."""
    contest = contest_by_slug(slug)
    from_round = _round(contest)
    form = AdvanceForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("results.ranking", slug=slug, round=from_round.code))
    ranked = round_ranking(contest, from_round, with_intervals=False)
    chosen = advancement.chosen_for_advance(ranked, form.mode.data, form.count.data,
                                            form.proposal_ids.data)
    try:
        count = advancement.advance(current_user, contest,
                                    from_round, [ranked.proposals[pid] for pid in chosen])
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("results.ranking", slug=slug, round=from_round.code))
    return commit_and_redirect(_("%(count)d proposal(s) advanced to the next round.",
                                 count=count), "results.ranking", slug=slug,
                               round=from_round.code)


@bp.route("/admin/contests/<slug>/ranking/settings", methods=["POST"])
def ranking_settings(slug):
    """Choose the official method, the tie-break order and the boundary."""
    contest = contest_by_slug(slug)
    form = _settings_form(contest)
    if form.validate_on_submit():
        save_ranking_settings(current_user, contest, form.ranking_method.data,
                              form.tie_break_codes(), form.ranking_boundary.data)
        return commit_and_redirect(_("The ranking settings have been saved."),
                                   "results.ranking", slug=slug)
    return commit_and_redirect(_("The ranking settings were not valid."), "results.ranking",
                               category="danger", slug=slug)


@bp.route("/admin/contests/<slug>/ranking/judges")
def judge_statistics(slug):
    """Each judge's count, mean, spread and bias; agreement; outlier reviews."""
    contest = contest_by_slug(slug)
    themes = policy.theme_scope(current_user, contest, Permission.RANKING)
    ranked = round_ranking(contest, _round(contest), with_intervals=False) if themes is None \
        else ranking_within_themes(contest, _round(contest), themes)
    judge_ids = [stats.judge_id for stats in ranked.result.judges]
    names = {user.id: judge_name(user) for user in db.session.scalars(
        db.select(User).filter(User.id.in_(judge_ids)))} if judge_ids else {}
    judges = sorted(ranked.result.judges, key=lambda stats: (
        pinyin_key(names.get(stats.judge_id)), stats.judge_id))
    return render_template(
        "results/judges.html", contest=contest, ranked=ranked, names=names, judges=judges,
        themes=themes,
        display_score=display_score,
        agreement_level=agreement_level(ranked.result.agreement.icc_2_1),
        severity=severity_chart([(names.get(stats.judge_id, str(stats.judge_id)), stats.bias)
                                 for stats in judges]))
