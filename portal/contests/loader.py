"""Load a contest from its YAML file (format: docs/contest-file.md)."""
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import yaml

from portal.extensions import db
from portal.contests.parts import PartInUse, sync_parts
from portal.models import AwardScope, Contest
from portal.rules.criteria import KINDS, SCALE

SHANGHAI = ZoneInfo("Asia/Shanghai")
RELATIVE_RE = re.compile(r"^\s*([+-]?\d+)\s*(minute|hour|day|week)s?\s*$", re.IGNORECASE)
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
CODE_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class ContestFileError(ValueError):
    """The contest file is not valid; the message says where and why."""


def parse_moment(value, now, where):
    """A time from the file: `now`, relative (`30 days`, `-1 day`) or Asia/Shanghai wall time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise ContestFileError(f"{where}: give a time as well as the date, e.g. '2014-09-30 17:00'")
    else:
        text = str(value).strip()
        if text.lower() == "now":
            return now
        relative = RELATIVE_RE.match(text)
        if relative:
            amount, unit = int(relative.group(1)), relative.group(2).lower()
            return now + timedelta(**{unit + "s": amount})
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as error:
            raise ContestFileError(
                f"{where}: '{text}' is neither 'now', a duration such as '30 days', "
                "nor a date-time such as '2014-09-30 17:00'") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(timezone.utc)


def _bilingual(node, where, required=True):
    if isinstance(node, str):
        node = {"zh": node}
    if not isinstance(node, dict) or (required and not node.get("zh")):
        raise ContestFileError(f"{where}: needs at least a Chinese text ('zh')")
    node = node or {}
    return {"zh": node.get("zh"), "en": node.get("en")}


def _decimal(value, where):
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise ContestFileError(f"{where}: '{value}' is not a number") from error
    if not number.is_finite():
        raise ContestFileError(f"{where}: '{value}' is not a number")
    return number


def _whole_number(value, where, minimum):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ContestFileError(f"{where}: must be a whole number of at least {minimum}")
    return value


def _items(spec, key, parse_item):
    items = spec.get(key)
    if not isinstance(items, list) or not items:
        raise ContestFileError(f"{key}: give a list with at least one entry")
    parsed, seen = [], set()
    for index, item in enumerate(items, start=1):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            raise ContestFileError(f"{where}: expected a mapping")
        code = str(item.get("code", ""))
        if not CODE_RE.match(code):
            raise ContestFileError(f"{where}: code '{code}' must be lower-case letters, digits or _")
        if code in seen:
            raise ContestFileError(f"{where}: code '{code}' appears twice")
        seen.add(code)
        fields = {"code": code, "position": index, **_names(item, where)}
        fields.update(parse_item(item, where))
        parsed.append(fields)
    return parsed


def _names(item, where):
    name = _bilingual(item.get("name"), f"{where}.name")
    return {"name_zh": name["zh"], "name_en": name["en"]}


def _theme_fields(item, where):
    description = _bilingual(item.get("description") or {}, f"{where}.description", required=False)
    return {"description_zh": description["zh"], "description_en": description["en"]}


def _entrant_type_fields(item, where):
    return {"requires_organization": bool(item.get("requires_organization", True))}


def _criterion_fields(item, where):
    rubric = _bilingual(item.get("rubric") or {}, f"{where}.rubric", required=False)
    weight = _decimal(item.get("weight", 1), f"{where}.weight")
    if weight <= 0:
        raise ContestFileError(f"{where}.weight: must be a positive number")
    scale = item.get("scale", [1, 10])
    if not isinstance(scale, list) or len(scale) != 2:
        raise ContestFileError(f"{where}.scale: give [min, max], e.g. [1, 10]")
    low, high = (_decimal(bound, f"{where}.scale") for bound in scale)
    if low >= high:
        raise ContestFileError(f"{where}.scale: the minimum must be below the maximum")
    step = _decimal(item.get("step", 1), f"{where}.step")
    if step <= 0:
        raise ContestFileError(f"{where}.step: must be a positive number")
    kind = item.get("kind", SCALE.code)
    if kind not in KINDS:
        raise ContestFileError(f"{where}.kind: one of {', '.join(map(repr, KINDS))}")
    return {"rubric_zh": rubric["zh"], "rubric_en": rubric["en"], "weight": weight,
            "kind": kind, "scale_min": low, "scale_max": high, "scale_step": step}


def _round_fields(item, where):
    return {}


def _award_tier_fields(item, where):
    count = item.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ContestFileError(f"{where}.count: must be a whole number of at least 1")
    scope = item.get("scope", AwardScope.OVERALL)
    if scope not in (AwardScope.OVERALL, AwardScope.PER_THEME):
        raise ContestFileError(f"{where}.scope: 'overall' or 'per_theme'")
    grant = item.get("grant")
    amount = None if grant in (None, "up_to_budget") else _decimal(grant, f"{where}.grant")
    if amount is not None and amount < 0:
        raise ContestFileError(f"{where}.grant: must not be negative")
    return {"count": count, "scope": scope, "grant_amount": amount,
            "grant_up_to_budget": bool(item.get("grant_up_to_budget", False))}


def parse_contest(text, now):
    """Validate the YAML text; returns plain data ready to store. Raises ContestFileError."""
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ContestFileError(f"not valid YAML: {error}") from error
    if not isinstance(spec, dict):
        raise ContestFileError("the file must be a mapping of contest fields")
    slug = str(spec.get("slug", ""))
    if not SLUG_RE.match(slug):
        raise ContestFileError(f"slug: '{slug}' must be lower-case letters, digits or -")
    name = _bilingual(spec.get("name"), "name")
    organizer = _bilingual(spec.get("organizer"), "organizer")
    description = _bilingual(spec.get("description") or {}, "description", required=False)
    rules = _bilingual(spec.get("rules") or {}, "rules", required=False)
    opens_at = parse_moment(spec.get("opens", "now"), now, "opens")
    deadline = parse_moment(spec.get("submission_deadline"), now, "submission_deadline")
    if deadline <= opens_at:
        raise ContestFileError("submission_deadline: must come after 'opens'")
    results_at = None
    if spec.get("results") is not None:
        results_at = parse_moment(spec["results"], now, "results")
        if results_at <= deadline:
            raise ContestFileError("results: must come after the submission deadline")
    limit = spec.get("proposal_limit", 3)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ContestFileError("proposal_limit: must be a whole number of at least 1")
    contest = {
        "slug": slug, "name_zh": name["zh"], "name_en": name["en"],
        "organizer_zh": organizer["zh"], "organizer_en": organizer["en"],
        "description_zh": description["zh"], "description_en": description["en"],
        "rules_zh": rules["zh"], "rules_en": rules["en"],
        "contact": spec.get("contact"), "opens_at": opens_at, "submission_deadline": deadline,
        "results_at": results_at, "proposal_limit": limit, "blind": bool(spec.get("blind", False)),
        "reference_prefix": str(spec.get("reference_prefix") or slug.upper()),
        "objection_days": _whole_number(spec.get("objection_days", 7), "objection_days", 0),
        "funding_pool": None if spec.get("funding_pool") is None
        else _decimal(spec["funding_pool"], "funding_pool"),
        "show_feedback_to_applicants": bool(spec.get("show_feedback_to_applicants", False)),
    }
    return {
        "contest": contest,
        "themes": _items(spec, "themes", _theme_fields),
        "entrant_types": _items(spec, "entrant_types", _entrant_type_fields),
        "criteria": _items(spec, "criteria", _criterion_fields),
        "rounds": _items(spec, "rounds", _round_fields),
        "award_tiers": _items(spec, "award_tiers", _award_tier_fields) if spec.get("award_tiers")
        else [],
    }


def store_contest(parsed, update=False):
    """Create the contest, or with `update` change it in place; returns (contest, created)."""
    fields = parsed["contest"]
    contest = db.session.scalar(db.select(Contest).filter_by(slug=fields["slug"]))
    if contest is not None and not update:
        raise ContestFileError(
            f"contest '{fields['slug']}' exists already; use --update to change it")
    created = contest is None
    if created:
        contest = Contest(reference_counter=0, archived=False)
        db.session.add(contest)
    for key, value in fields.items():
        setattr(contest, key, value)
    for relation in ("themes", "entrant_types", "criteria", "rounds", "award_tiers"):
        if relation in parsed:
            try:
                sync_parts(contest, relation, parsed[relation])
            except PartInUse as error:
                raise ContestFileError(str(error)) from error
    db.session.flush()
    return contest, created
