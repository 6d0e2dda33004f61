"""Judges' evaluation of mid-term and final reports, on the reports' own rubric."""
from sqlalchemy.orm import selectinload

from portal import policy
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.grants import rubric
from portal.grants.labels import REPORT_KINDS
from portal.i18n import lazy_gettext as _l
from portal.mail import queue_email
from portal.models import JudgeMembership, ReportEvaluation, ReportKind, ReportStatus, User, \
    utcnow
from portal.rules.contest import judge_name
from portal.web import external_url

EVALUATED_KINDS = (ReportKind.MIDTERM, ReportKind.FINAL)


def contest_judges(contest):
    """The contest's active judges, by name."""
    return db.session.scalars(
        db.select(User).join(JudgeMembership, JudgeMembership.user_id == User.id)
        .filter(JudgeMembership.contest_id == contest.id, JudgeMembership.active.is_(True))
        .order_by(User.display_name, User.id)).all()


def request_evaluation(actor, report, judge_ids):
    """Ask these judges of the contest to evaluate a submitted mid-term or final report; a
    judge with a recorded conflict of interest with the project is refused."""
    if report.kind not in EVALUATED_KINDS or report.status not in ReportStatus.COUNTED:
        raise DomainError(_l("Only a submitted mid-term or final report can be evaluated."))
    grant = report.grant
    judges = {judge.id: judge for judge in contest_judges(grant.contest)}
    if not judge_ids or set(judge_ids) - set(judges):
        raise DomainError(_l("Choose judges of this contest."), field="judges")
    asked = {evaluation.judge_id for evaluation in report.evaluations}
    added = []
    for judge_id in judge_ids:
        judge = judges[judge_id]
        if policy.has_conflict(judge, grant.proposal):
            raise DomainError(_l("%(name)s has a conflict of interest with this project.",
                                 name=judge_name(judge)), field="judges")
        if judge_id in asked:
            continue
        evaluation = ReportEvaluation(judge_id=judge_id)
        report.evaluations.append(evaluation)
        added.append(evaluation)
    db.session.flush()
    for evaluation in added:
        judge = judges[evaluation.judge_id]
        queue_email(judge, _l("A project report to evaluate"), "grant_report_evaluation",
                    user=judge, grant=grant, report=report, kind_label=REPORT_KINDS[report.kind],
                    evaluation_url=external_url("grants.evaluation",
                                                evaluation_id=evaluation.id))
    record(actor, "grant.evaluation_requested", contest=grant.contest, target=report,
           judges=sorted(judge_ids))
    return added


def evaluation_for_judge(user, evaluation_id):
    """The evaluation, for its judge only while they may still judge the project; else 404."""
    evaluation = db.session.get(ReportEvaluation, evaluation_id)
    policy.require(evaluation is not None and policy.may_evaluate(user, evaluation), 404)
    return evaluation


def evaluations_of(user):
    """The judge's report evaluations, newest first."""
    return db.session.scalars(
        db.select(ReportEvaluation).filter_by(judge_id=user.id)
        .options(selectinload(ReportEvaluation.report))
        .order_by(ReportEvaluation.id.desc())).all()


def save_evaluation(judge, evaluation, scores, comment, now=None):
    """Submit the judge's scores (every criterion, whole numbers on the scale) and comment;
    an evaluation is submitted once."""
    if evaluation.submitted_at is not None:
        raise DomainError(_l("This evaluation has been submitted."))
    try:
        evaluation.scores = rubric.check_scores(scores)
    except ValueError as error:
        raise DomainError(_l("Give every criterion a whole score from 1 to 10."),
                          field=f"score_{error.args[0]}") from error
    evaluation.comment = (comment or "").strip() or None
    evaluation.submitted_at = now or utcnow()
    db.session.flush()
    record(judge, "grant.report_evaluated", contest=evaluation.report.grant.contest,
           target=evaluation, score=str(rubric.weighted_score(evaluation.scores)))
    return evaluation
