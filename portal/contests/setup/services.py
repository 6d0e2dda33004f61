"""Contest setup verbs: create, edit, edit parts, copy, archive. Services add and flush only."""
from datetime import timedelta

from sqlalchemy.orm import selectinload

from portal.accounts.invitations import invite
from portal.audit import record
from portal.contests.parts import PART_MODELS, PartInUse, sync_parts
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import Contest, InvitationRole, JudgeMembership, User
from portal.timezones import from_beijing_naive, to_beijing_naive

CONTEST_FIELDS = ("name_zh", "name_en", "organizer_zh", "organizer_en", "description_zh",
                  "description_en", "rules_zh", "rules_en", "faq_zh", "faq_en", "contact",
                  "opens_at", "submission_deadline", "results_at", "proposal_limit",
                  "reference_prefix", "blind", "objection_days", "funding_pool",
                  "show_feedback_to_applicants", "listed")
TIME_FIELDS = ("opens_at", "submission_deadline", "results_at", "closes_at")
PART_FIELDS = {
    "themes": ("description_zh", "description_en"),
    "entrant_types": ("requires_organization",),
    "criteria": ("rubric_zh", "rubric_en", "weight", "kind", "scale_min", "scale_max",
                 "scale_step"),
    "rounds": ("opens_at", "closes_at"),
    "award_tiers": ("count", "scope", "grant_amount", "grant_up_to_budget"),
}
STALE = _l("Someone else changed this contest after you opened the page. Your changes were not "
           "saved: reload the page, then make them again.")
REFUSALS = {
    "is in use and cannot be removed": _l(
        "“%(name)s” is used by existing proposals, scores or assignments and cannot be removed."),
    "has scores; its scale cannot change": _l(
        "“%(name)s” already has scores: its scale cannot change."),
}


def _local(field, value):
    return to_beijing_naive(value) if field in TIME_FIELDS else value


def contest_form_data(contest):
    data = {field: _local(field, getattr(contest, field)) for field in CONTEST_FIELDS}
    data.update(slug=contest.slug, settings_version=contest.settings_version)
    return data


def _check_version(contest, expected_version):
    if str(expected_version) != str(contest.settings_version):
        raise DomainError(STALE)
    contest.settings_version += 1


def save_contest(actor, contest, data, expected_version=None):
    """Create (contest None) or change a contest's settings; refuses a stale form."""
    created = contest is None
    if created:
        if db.session.scalar(db.select(Contest.id).filter_by(slug=data["slug"])) is not None:
            raise DomainError(_l("A contest with this address already exists."), field="slug")
        contest = Contest(slug=data["slug"], reference_counter=0, archived=False,
                          settings_version=1)
        db.session.add(contest)
    else:
        _check_version(contest, expected_version)
    changed = []
    for field in CONTEST_FIELDS:
        value = data[field]
        if field in TIME_FIELDS:
            value = from_beijing_naive(value)
        elif isinstance(value, str):
            value = value.strip() or None
        if getattr(contest, field) != value:
            changed.append(field)
            setattr(contest, field, value)
    db.session.flush()
    record(actor, "contest.created" if created else "contest.changed", contest=contest,
           target=contest, fields=changed)
    return contest


def part_rows(contest, relation):
    """The contest's parts of one kind as form rows, times in Beijing time."""
    rows = []
    for row in getattr(contest, relation):
        values = {"code": row.code, "name_zh": row.name_zh, "name_en": row.name_en}
        values.update({field: _local(field, getattr(row, field)) for field in PART_FIELDS[relation]})
        rows.append(values)
    return rows


def save_parts(actor, contest, relation, rows, expected_version):
    """Replace the contest's parts of one kind with the submitted rows (blank ones ignored)."""
    _check_version(contest, expected_version)
    wanted = []
    for position, row in enumerate(rows, start=1):
        item = {"code": row["code"].strip(), "name_zh": row["name_zh"].strip(),
                "name_en": (row.get("name_en") or "").strip() or None, "position": position}
        for field in PART_FIELDS[relation]:
            value = row.get(field)
            item[field] = from_beijing_naive(value) if field in TIME_FIELDS else value
        wanted.append(item)
    _refuse_duplicates(wanted)
    try:
        sync_parts(contest, relation, wanted)
    except PartInUse as error:
        row = next((r for r in getattr(contest, relation) if r.code == error.code), None)
        name = row.name_zh if row is not None else error.code
        raise DomainError(REFUSALS[error.reason] % {"name": name}) from error
    db.session.flush()
    record(actor, "contest.parts_changed", contest=contest, target=contest, parts=relation,
           codes=[item["code"] for item in wanted])


def _refuse_duplicates(wanted):
    for key, message in (("code", _l("The code “%(value)s” appears twice.")),
                         ("name_zh", _l("The name “%(value)s” appears twice."))):
        seen = set()
        for item in wanted:
            value = item[key].casefold()
            if value in seen:
                raise DomainError(message % {"value": item[key]})
            seen.add(value)


def copy_contest(actor, source, slug, name_zh, name_en, invite_judges=False):
    """Next year's edition: every setting and part copied, dates moved one year on; with
    `invite_judges`, an invitation waiting to be sent for each of the source's active judges."""
    if db.session.scalar(db.select(Contest.id).filter_by(slug=slug)) is not None:
        raise DomainError(_l("A contest with this address already exists."), field="slug")
    year = timedelta(days=365)
    copy = Contest(slug=slug, name_zh=name_zh, name_en=name_en or None, reference_counter=0,
                   archived=False, settings_version=1, reference_prefix=slug.upper()[:32])
    for field in CONTEST_FIELDS:
        if field not in ("name_zh", "name_en", "reference_prefix"):
            value = getattr(source, field)
            setattr(copy, field, value + year if field in TIME_FIELDS and value else value)
    db.session.add(copy)
    for relation in PART_FIELDS:
        for row in getattr(source, relation):
            values = {"code": row.code, "name_zh": row.name_zh, "name_en": row.name_en,
                      "position": row.position}
            values.update({field: getattr(row, field) for field in PART_FIELDS[relation]})
            if relation == "rounds":
                values = {key: (value + year if key in TIME_FIELDS and value else value)
                          for key, value in values.items()}
            getattr(copy, relation).append(PART_MODELS[relation](**values))
    db.session.flush()
    record(actor, "contest.copied", contest=copy, target=copy, source=source.slug)
    if invite_judges:
        _invite_judges_of(actor, source, copy)
    return copy


def _invite_judges_of(actor, source, copy):
    """Last edition's active judges, with their expertise, as invitations not yet sent."""
    memberships = db.session.scalars(
        db.select(JudgeMembership).join(User, User.id == JudgeMembership.user_id)
        .filter(JudgeMembership.contest_id == source.id, JudgeMembership.active.is_(True),
                User.active.is_(True), User.erased_at.is_(None))
        .options(selectinload(JudgeMembership.user), selectinload(JudgeMembership.expertise))
        .order_by(JudgeMembership.id)).all()
    codes = {theme.code for theme in copy.themes}
    for membership in memberships:
        judge = membership.user
        invite(actor, InvitationRole.JUDGE, judge.email, contest=copy,
               display_name=judge.display_name, organization=judge.organization,
               theme_codes=[t.code for t in membership.expertise if t.code in codes],
               locale=judge.locale, send=False)


def set_archived(actor, contest, archived):
    contest.archived = archived
    db.session.flush()
    record(actor, "contest.archived" if archived else "contest.unarchived", contest=contest,
           target=contest)
