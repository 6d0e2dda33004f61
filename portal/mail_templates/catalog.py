"""Every kind of email the portal sends, with the placeholders an organizer's text may use.

A placeholder's value is read from the context the sending code gives the built-in template,
so the senders do not change; its sample fills previews. The built-in template also gets a
sample context, for the preview of the text an edited one replaces.
"""
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace as Sample
from typing import Callable, NamedTuple


from portal.i18n import lazy_gettext as _l, local_datetime, localized
from portal.rules.contest import addressee_name, judge_name


class Placeholder(NamedTuple):
    description: object
    value: Callable      # context -> text
    sample: str


class MailKind(NamedTuple):
    code: str
    label: object
    placeholders: dict
    sample_context: Callable    # () -> the built-in template's context, with sample values


def _name(context):
    """The recipient's name as the built-in greeting gives it (portal.rules.contest)."""
    for key in ("user", "invitation", "objection"):
        person = context.get(key)
        if person is not None:
            return addressee_name(person)
    return str(context.get("recipient_name") or "")


def _walk(context, path):
    """context[path[0]].path[1]...: None where a step is missing."""
    value = context.get(path[0])
    for name in path[1:]:
        value = getattr(value, name, None)
    return value


def _get(*path):
    def read(context):
        value = _walk(context, path)
        return "" if value is None else str(value)
    return read


def _time(*path):
    def read(context):
        value = _walk(context, path)
        return local_datetime(value) if value else ""
    return read


def _day(*path):
    def read(context):
        value = _walk(context, path)
        return value.isoformat() if value else ""
    return read


def _lines(read_items, line):
    return lambda context: "\n".join(line(item) for item in read_items(context) or ())


def _contest_name(context):
    if context.get("contest_name"):
        return str(context["contest_name"])
    if context.get("locale_name"):
        return str(context["locale_name"])
    contest = context.get("contest")
    return localized(contest) if contest is not None else ""


NOW = datetime(2014, 12, 1, 2, 0, tzinfo=timezone.utc)
SAMPLE_USER = Sample(display_name="王小明", email="wang@example.org")
SAMPLE_CONTEST = Sample(name_zh="第一届“志愿四方杯”慈善项目创投大赛", name_en="The first Volunteer Cup",
                        submission_deadline=NOW + timedelta(days=10),
                        localized=lambda field, locale: "第一届“志愿四方杯”慈善项目创投大赛")
SAMPLE_PROPOSAL = Sample(title="银龄陪伴计划", reference="ZZCF-2014-0007", submitted_at=NOW,
                         correction_until=NOW + timedelta(days=5), contest=SAMPLE_CONTEST)
SAMPLE_TIER = Sample(localized=lambda field, locale: "一等奖")
URL = "https://portal.example.org/…"

NAME = Placeholder(_l("The recipient's name"), _name, "王小明")
CONTEST = Placeholder(_l("The contest's name"), _contest_name, "第一届“志愿四方杯”慈善项目创投大赛")
TITLE = Placeholder(_l("The project's title"), _get("proposal", "title"), "银龄陪伴计划")
REFERENCE = Placeholder(_l("The reference number"), _get("proposal", "reference"),
                        "ZZCF-2014-0007")
DEADLINE = Placeholder(_l("The submission deadline (Beijing time)"),
                       lambda c: local_datetime(getattr(getattr(c.get("proposal"), "contest", None)
                                                        or c.get("contest"),
                                                        "submission_deadline", None)),
                       "2014-12-11 10:00")


def _url(key, description=_l("The link")):
    return Placeholder(description, _get(key), URL)


def _outcomes(context):
    lines = []
    for proposal, award in context.get("outcomes") or ():
        tier = localized(award.tier) if award else str(_l("not among the winners"))
        lines.append(str(_l("%(project)s: %(result)s",
                            project=f"{proposal.reference} {proposal.title}", result=tier)))
    return "\n".join(lines)


# The grant mails (portal.grants) give the grant, whose proposal and contest they name.
GRANT_CONTEST = Placeholder(_l("The contest's name"),
                            lambda c: localized(getattr(c.get("grant"), "contest", None)),
                            "第一届“志愿四方杯”慈善项目创投大赛")
GRANT_TITLE = Placeholder(_l("The project's title"), _get("grant", "proposal", "title"),
                          "银龄陪伴计划")
GRANT_REFERENCE = Placeholder(_l("The reference number"), _get("grant", "proposal", "reference"),
                              "ZZCF-2014-0007")
REPORT_KIND = Placeholder(_l("The kind of report"), _get("kind_label"), "中期报告")
SAMPLE_GRANT = Sample(proposal=SAMPLE_PROPOSAL, contest=SAMPLE_CONTEST)
SAMPLE_REPORT = Sample(kind="midterm", due_on=date(2015, 6, 30),
                       return_reason="请补充志愿者培训的支出凭证。")
SAMPLE_TRANCHE = Sample(released_on=date(2015, 1, 10), release_reference="ZF-2015-001")


# The awards-proposal mails (portal.awards.theme_proposals) give the theme and the proposal.
THEME = Placeholder(_l("The theme's name"), lambda c: localized(c.get("theme")), "扶老助老")
SAMPLE_THEME = Sample(localized=lambda field, locale: "扶老助老")
SAMPLE_AWARD_PROPOSAL = Sample(submitted_by=Sample(display_name="陈主任", email="chen@example.org"),
                               return_reason="请说明第三名与排名不一致的理由。")


def _sample(**context):
    return lambda: {"user": SAMPLE_USER, "proposal": SAMPLE_PROPOSAL, "contest": SAMPLE_CONTEST,
                    "contest_name": "第一届“志愿四方杯”慈善项目创投大赛", "now": NOW, **context}


def _grant_placeholders(**more):
    """A grant mail's placeholders: to whom, about which project, and `more`."""
    return {"name": NAME, "contest": GRANT_CONTEST, "title": GRANT_TITLE,
            "reference": GRANT_REFERENCE, **more}


def _report_sample(**context):
    """The sample context of a mail about a grant's report."""
    return _sample(grant=SAMPLE_GRANT, report=SAMPLE_REPORT, kind_label="中期报告", **context)


KINDS = {kind.code: kind for kind in [
    MailKind("confirm_email", _l("Confirm the email address"), {
        "name": NAME, "confirm_url": _url("confirm_url"),
        "days": Placeholder(_l("Days the link is valid"), _get("max_age_days"), "3")},
        _sample(confirm_url=URL, max_age_days=3)),
    MailKind("reset_password", _l("Reset the password"), {
        "name": NAME, "reset_url": _url("reset_url")}, _sample(reset_url=URL)),
    MailKind("account_exists", _l("Registration with an existing address"), {
        "name": NAME, "login_url": _url("login_url"), "reset_url": _url("reset_url")},
        _sample(login_url=URL, reset_url=URL)),
    MailKind("security_notice", _l("A change to how one logs in"), {
        "name": NAME, "event": Placeholder(_l("What changed"), _get("event"),
                                           "您账号的密码已修改。"),
        "reset_url": _url("reset_url")},
        _sample(event="您账号的密码已修改。", reset_url=URL)),
    MailKind("two_factor_reset", _l("Two-step login reset by an organizer"), {
        "name": NAME, "login_url": _url("login_url"), "setup_url": _url("setup_url")},
        _sample(login_url=URL, setup_url=URL)),
    MailKind("proposal_submitted", _l("Receipt of a submitted proposal"), {
        "name": NAME, "contest": CONTEST, "title": TITLE, "reference": REFERENCE,
        "submitted_at": Placeholder(_l("When it was submitted (Beijing time)"),
                                    _time("proposal", "submitted_at"), "2014-12-01 10:00"),
        "deadline": DEADLINE, "proposal_url": _url("proposal_url")},
        _sample(proposal_url=URL)),
    MailKind("proposal_edited", _l("A submitted proposal was changed"), {
        "name": NAME, "title": TITLE, "reference": REFERENCE,
        "time": Placeholder(_l("When it was changed (Beijing time)"), _time("now"),
                            "2014-12-01 10:00"),
        "proposal_url": _url("proposal_url")}, _sample(proposal_url=URL)),
    MailKind("proposal_withdrawn", _l("A proposal was withdrawn"), {
        "name": NAME, "title": TITLE, "reference": REFERENCE, "deadline": DEADLINE,
        "proposal_url": _url("proposal_url")}, _sample(proposal_url=URL, can_resubmit=True)),
    MailKind("screening_decision", _l("The eligibility decision"), {
        "name": NAME, "title": TITLE, "reference": REFERENCE,
        "reason": Placeholder(_l("The organizers' reason"), _get("reason"), "预算明细不完整"),
        "correction_until": Placeholder(_l("Correction deadline (Beijing time)"),
                                        _time("proposal", "correction_until"),
                                        "2014-12-06 10:00"),
        "proposal_url": _url("proposal_url")},
        _sample(decision="returned", reason="预算明细不完整", proposal_url=URL)),
    MailKind("deadline_reminder", _l("Deadline reminder for drafts"), {
        "name": NAME, "contest": CONTEST, "deadline": DEADLINE,
        "drafts": Placeholder(_l("The drafts' titles, one per line"),
                              _lines(lambda c: c.get("drafts"), lambda p: f"- {p.title}"),
                              "- 银龄陪伴计划"),
        "mine_url": _url("mine_url")},
        _sample(drafts=[SAMPLE_PROPOSAL], locale_name="第一届“志愿四方杯”慈善项目创投大赛",
                mine_url=URL)),
    MailKind("invitation", _l("Invitation of a judge or organizer"), {
        "name": NAME, "contest": CONTEST, "link": _url("link"),
        "days": Placeholder(_l("Days the link is valid"), _get("days"), "14")},
        _sample(user=None,   # an invitation goes to an address, not an account
                invitation=Sample(display_name="李教授", email="li@example.org", role="judge"),
                link=URL, days=14)),
    MailKind("judge_reminder", _l("Reminder to judges"), {
        "name": NAME, "contest": CONTEST,
        "proposals": Placeholder(_l("The proposals waiting, one per line"),
                                 _lines(lambda c: c.get("assignments"),
                                        lambda a: f"- {a.proposal.reference} {a.proposal.title}"),
                                 "- ZZCF-2014-0007 银龄陪伴计划"),
        "closes_at": Placeholder(_l("When scoring closes (Beijing time)"), _time("closes_at"),
                                 "2014-12-20 18:00"),
        "link": _url("link")},
        _sample(assignments=[Sample(proposal=SAMPLE_PROPOSAL)], closes_at=NOW, link=URL)),
    MailKind("results_provisional", _l("Provisional results"), {
        "name": NAME, "contest": CONTEST,
        "outcomes": Placeholder(_l("The recipient's projects and their results"), _outcomes,
                                "ZZCF-2014-0007 银龄陪伴计划：一等奖"),
        "objections_until": Placeholder(_l("End of the objection period (Beijing time)"),
                                        _time("publication", "objections_until"),
                                        "2014-12-17 18:00"),
        "results_url": _url("results_url")},
        _sample(publication=Sample(published_at=NOW, objections_until=NOW + timedelta(days=7)),
                outcomes=[(SAMPLE_PROPOSAL, Sample(tier=SAMPLE_TIER))], results_url=URL)),
    MailKind("results_final", _l("Final results"), {
        "name": NAME, "contest": CONTEST,
        "outcomes": Placeholder(_l("The recipient's projects and their results"), _outcomes,
                                "ZZCF-2014-0007 银龄陪伴计划：一等奖"),
        "results_url": _url("results_url")},
        _sample(outcomes=[(SAMPLE_PROPOSAL, Sample(tier=SAMPLE_TIER))], feedback=False,
                results_url=URL)),
    MailKind("objection_answer", _l("Answer to an objection"), {
        "name": NAME, "contest": CONTEST,
        "objection": Placeholder(_l("The objection's text"), _get("objection", "text"),
                                 "该项目受益人数存疑。"),
        "answer": Placeholder(_l("The organizers' answer"), _get("objection", "answer"),
                              "经核实，受益人数属实。"),
        "results_url": _url("results_url")},
        _sample(user=None,   # the objector has no account: the answer goes to an address
                objection=Sample(name="观众", contact_email="watcher@example.org",
                                 created_at=NOW, text="该项目受益人数存疑。",
                                 answer="经核实，受益人数属实。"), results_url=URL)),
    MailKind("announcement", _l("Announcement"), {
        "name": NAME, "contest": CONTEST,
        "body": Placeholder(_l("The announcement's text"), _get("body"), "讲座定于 5 月 12 日举行。"),
        "contest_url": _url("contest_url")},
        _sample(recipient_name="王小明", body="讲座定于 5 月 12 日举行。", contest_url=URL)),
    MailKind("award_proposal_submitted", _l("A theme's winners proposed by its chair"), {
        "name": NAME, "contest": CONTEST, "theme": THEME,
        "chair": Placeholder(_l("The chair who proposed them"),
                             lambda c: judge_name(_walk(c, ("award_proposal", "submitted_by"))),
                             "陈主任"),
        "link": _url("link")},
        _sample(award_proposal=SAMPLE_AWARD_PROPOSAL, theme=SAMPLE_THEME, link=URL)),
    MailKind("award_proposal_decided", _l("A theme's proposed winners confirmed or returned"), {
        "name": NAME, "contest": CONTEST, "theme": THEME,
        "decision": Placeholder(_l("The organizer's decision"),
                                lambda c: str(_l("Confirmed") if c.get("confirmed")
                                              else _l("Returned")), "已退回"),
        "reason": Placeholder(_l("The organizers' reason"),
                              _get("award_proposal", "return_reason"),
                              "请说明第三名与排名不一致的理由。"),
        "link": _url("link")},
        _sample(award_proposal=SAMPLE_AWARD_PROPOSAL, theme=SAMPLE_THEME, confirmed=False,
                link=URL)),
    MailKind("grant_tranche", _l("A tranche of a grant was released"), _grant_placeholders(
        amount=Placeholder(_l("The amount released"), _get("amount"), "¥15,000.00"),
        paid_on=Placeholder(_l("The day it was paid"), _day("tranche", "released_on"),
                            "2015-01-10"),
        payment_reference=Placeholder(_l("The payment's reference"),
                                      _get("tranche", "release_reference"), "ZF-2015-001"),
        grant_url=_url("grant_url")),
        _sample(grant=SAMPLE_GRANT, tranche=SAMPLE_TRANCHE, amount="¥15,000.00", grant_url=URL)),
    MailKind("grant_report_reminder", _l("Reminder of a grant report"), _grant_placeholders(
        report=REPORT_KIND,
        due_on=Placeholder(_l("The day the report is due"), _day("report", "due_on"),
                           "2015-06-30"),
        state=Placeholder(_l("Whether it is due soon or overdue"),
                          lambda c: str(_l("Overdue") if c.get("overdue") else _l("Due soon")),
                          "即将到期"),
        report_url=_url("report_url")),
        _report_sample(overdue=False, report_url=URL)),
    MailKind("grant_report_reviewed", _l("A grant report accepted or returned"),
             _grant_placeholders(
                 report=REPORT_KIND,
                 decision=Placeholder(_l("The organizer's decision"),
                                      lambda c: str(_l("Accepted") if c.get("accepted")
                                                    else _l("Returned")), "已退回"),
                 reason=Placeholder(_l("The organizers' reason"),
                                    _get("report", "return_reason"), "请补充志愿者培训的支出凭证。"),
                 report_url=_url("report_url")),
             _report_sample(accepted=False, report_url=URL)),
    MailKind("grant_report_evaluation", _l("A grant report for a judge to evaluate"),
             _grant_placeholders(report=REPORT_KIND, evaluation_url=_url("evaluation_url")),
             _report_sample(evaluation_url=URL)),
]}
