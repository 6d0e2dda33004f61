"""Audit entries told in words, in the reader's language: 「评审专家 J007 修改了 ZZCF-2014-0012 的评分：
创新性 3 → 7」, never the stored JSON. Names are read for a whole page of entries at once."""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from portal.extensions import db
from portal.i18n import current_locale
from portal.labels import action_label, permission_label, proposal_status_label
from portal.models import AwardTier, Criterion, JudgeMembership, Proposal, Round, Theme, User
from portal.rules.contest import judge_name


@dataclass
class Names:
    """What a page of entries names, each kind read in one query."""

    users: dict = field(default_factory=dict)          # id -> display name or email
    judge_codes: dict = field(default_factory=dict)    # (contest id, user id) -> "J007"
    proposals: dict = field(default_factory=dict)      # id -> reference
    criteria: dict = field(default_factory=dict)       # id -> (position, name)
    parts: dict = field(default_factory=dict)          # (kind, contest id, code) -> name


def _detail(event):
    return event.detail if isinstance(event.detail, dict) else {}


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def load_names(events):
    """The names the entries refer to: people, judge codes, proposals, criteria, rounds, tiers."""
    locale = current_locale()
    names = Names()
    user_ids = {event.actor_id for event in events} | {
        _int(_detail(event).get(key)) for event in events for key in ("judge", "user")}
    user_ids.discard(None)
    proposal_ids = {_int(_detail(event).get(key)) for event in events
                    for key in ("proposal", "pitch", "moved_proposal")} | {
        event.target_id for event in events if event.target_type == "Proposal"} | {
        _int(pair[0]) for event in events for pair in _awards(_detail(event))}
    proposal_ids.discard(None)
    contest_ids = {event.contest_id for event in events if event.contest_id is not None}
    if user_ids:
        names.users = {user.id: judge_name(user) for user in db.session.scalars(
            db.select(User).filter(User.id.in_(user_ids)))}
    if proposal_ids:
        names.proposals = dict(db.session.execute(
            db.select(Proposal.id, Proposal.reference).filter(Proposal.id.in_(proposal_ids))).all())
    if not contest_ids:
        return names
    position = {}
    for contest_id, user_id in db.session.execute(
            db.select(JudgeMembership.contest_id, JudgeMembership.user_id)
            .filter(JudgeMembership.contest_id.in_(contest_ids)).order_by(JudgeMembership.id)):
        position[contest_id] = position.get(contest_id, 0) + 1
        names.judge_codes[(contest_id, user_id)] = f"J{position[contest_id]:03d}"
    for criterion in db.session.scalars(
            db.select(Criterion).filter(Criterion.contest_id.in_(contest_ids))):
        names.criteria[criterion.id] = (criterion.position, criterion.localized("name", locale))
    for kind, model in (("round", Round), ("tier", AwardTier), ("theme", Theme)):
        for part in db.session.scalars(db.select(model).filter(model.contest_id.in_(contest_ids))):
            names.parts[(kind, part.contest_id, part.code)] = part.localized("name", locale)
    return names


def _person(event, user_id, names):
    if user_id is None:
        return _("the system")
    code = names.judge_codes.get((event.contest_id, user_id))
    name = names.users.get(user_id, f"#{user_id}")
    return _("judge %(code)s", code=code) if code else name


def _listed(codes):
    return "、".join(str(code) for code in codes) if isinstance(codes, list) else "–"


def _number(text):
    """'7.00' -> '7', '7.50' -> '7.5': scores as a person writes them."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return str(text)
    return format(value.normalize(), "f")


def _score_changes(detail, names):
    before, after = detail.get("before") or {}, detail.get("after") or {}
    changes = []
    keys = sorted(set(before) | set(after),
                  key=lambda key: names.criteria.get(_key(key), (999, ""))[0])
    for key in keys:
        criterion = names.criteria.get(_key(key), (0, _("criterion %(id)s", id=key)))[1]
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and _number(old) == _number(new):
            continue
        if old is None:
            changes.append(f"{criterion} {_number(new)}")
        else:
            changes.append(f"{criterion} {_number(old)} → "
                           f"{_number(new) if new is not None else '–'}")
    return _("; ").join(changes) if changes else _("no score changed")


def _key(key):
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _awards(detail):
    """The [proposal id, tier code] pairs of an awards entry."""
    pairs = detail.get("awards")
    return [pair for pair in pairs if isinstance(pair, list) and len(pair) == 2] \
        if isinstance(pairs, list) else []


def _awards_listed(event, names):
    pairs = _awards(_detail(event))
    if not pairs:
        return _("no award")
    return "、".join(f"{names.proposals.get(_int(proposal_id), '–')} "
                    f"{_part(names, 'tier', event, tier)}" for proposal_id, tier in pairs)


def _part(names, kind, event, code):
    return names.parts.get((kind, event.contest_id, code), code or "–")


# action -> the sentence, with the placeholders every entry of that action can fill.
SENTENCES = {
    "review.submitted": lambda f: _("%(actor)s submitted the scores of %(proposal)s: "
                                    "%(changes)s", **f),
    "review.revised": lambda f: _("%(actor)s changed the scores of %(proposal)s: %(changes)s",
                                  **f),
    "proposal.screened": lambda f: _("%(actor)s marked %(proposal)s as %(decision)s", **f),
    "proposal.screening_undone": lambda f: _("%(actor)s undid the eligibility decision on "
                                             "%(proposal)s", **f),
    "assignment.created": lambda f: _("%(actor)s assigned %(proposal)s to %(judge)s "
                                      "(%(round)s)", **f),
    "assignment.reassigned": lambda f: _("%(actor)s moved %(proposal)s away from %(judge)s "
                                         "(%(round)s)", **f),
    "assignment.recused": lambda f: _("%(actor)s recused from %(proposal)s (%(round)s)", **f),
    "assignment.removed_for_conflict": lambda f: _("%(actor)s removed %(proposal)s from "
                                                   "%(judge)s for a conflict of interest", **f),
    "conflict.added": lambda f: _("%(actor)s recorded a conflict of interest between "
                                  "%(judge)s and %(proposal)s", **f),
    "conflict.removed": lambda f: _("%(actor)s removed the conflict of interest between "
                                    "%(judge)s and %(proposal)s", **f),
    "conflict.waived": lambda f: _("%(actor)s waived the automatic conflict of interest "
                                   "between %(judge)s and %(proposal)s", **f),
    "conflict.organization_declared": lambda f: _("%(actor)s declared a conflict of interest "
                                                  "with %(organization)s", **f),
    "conflict.organization_withdrawn": lambda f: _("%(actor)s withdrew the conflict of "
                                                   "interest with %(organization)s", **f),
    "round.closed": lambda f: _("%(actor)s closed %(round)s", **f),
    "round.reopened": lambda f: _("%(actor)s reopened %(round)s", **f),
    "judge.activated": lambda f: _("%(actor)s activated %(judge)s", **f),
    "judge.deactivated": lambda f: _("%(actor)s deactivated %(judge)s", **f),
    "judge.invited": lambda f: _("%(actor)s invited %(email)s as a judge", **f),
    "rights.granted": lambda f: _("%(actor)s granted %(user)s the rights %(permissions)s "
                                  "(themes: %(themes)s)", **f),
    "rights.revoked": lambda f: _("%(actor)s revoked the rights of %(user)s", **f),
    "proposals.advanced": lambda f: _("%(actor)s advanced %(count)s proposals to %(round)s",
                                      **f),
    "award.moved": lambda f: _("%(actor)s changed the award of %(proposal)s: %(from_tier)s → "
                               "%(to_tier)s", **f),
    "awards.allocated": lambda f: _("%(actor)s allocated the awards from the ranking of "
                                    "%(round)s", **f),
    "award_proposal.saved": lambda f: _("%(actor)s saved a draft awards proposal for the "
                                        "theme %(theme)s", **f),
    "award_proposal.submitted": lambda f: _("%(actor)s proposed the awards of the theme "
                                            "%(theme)s: %(awards)s", **f),
    "award_proposal.confirmed": lambda f: _("%(actor)s confirmed the awards proposal of the "
                                            "theme %(theme)s: %(awards)s", **f),
    "award_proposal.returned": lambda f: _("%(actor)s returned the awards proposal of the "
                                           "theme %(theme)s", **f),
    "contest.exported": lambda f: _("%(actor)s exported the data (%(format)s, %(round)s)", **f),
    "scores.imported": lambda f: _("%(actor)s imported paper scores of %(round)s from "
                                   "%(file)s", **f),
    "announcement.sent": lambda f: _("%(actor)s sent the announcement “%(subject)s”", **f),
    "certificates.issued": lambda f: _("%(actor)s issued %(count)s certificates", **f),
    "certificate.revoked": lambda f: _("%(actor)s revoked certificate %(number)s of "
                                       "%(proposal)s", **f),
    "live.created": lambda f: _("%(actor)s set up the pitch day of %(round)s", **f),
    "live.settings": lambda f: _("%(actor)s changed the pitch-day settings", **f),
    "live.start": lambda f: _("%(actor)s called %(pitch)s on stage to present", **f),
    "live.qa": lambda f: _("%(actor)s started the questions to %(pitch)s", **f),
    "live.timer": lambda f: _("%(actor)s paused or resumed the timer of %(pitch)s", **f),
    "live.open": lambda f: _("%(actor)s opened the scoring of %(pitch)s", **f),
    "live.close": lambda f: _("%(actor)s closed the scoring of %(pitch)s", **f),
    "live.reveal": lambda f: _("%(actor)s revealed the scores of %(pitch)s", **f),
    "live.ranking": lambda f: _("%(actor)s began revealing the final ranking", **f),
    "live.reveal_next": lambda f: _("%(actor)s revealed the next group of the final ranking",
                                    **f),
    "live.up": lambda f: _("%(actor)s moved %(moved)s up the running order", **f),
    "live.down": lambda f: _("%(actor)s moved %(moved)s down the running order", **f),
    "live.no_show": lambda f: _("%(actor)s marked %(moved)s as absent", **f),
    "live.skip": lambda f: _("%(actor)s skipped the pitch of %(moved)s", **f),
    "live.restore": lambda f: _("%(actor)s put %(moved)s back in the running order", **f),
    "live.undone": lambda f: _("%(actor)s undid the last pitch-day step (%(step)s)", **f),
    "live.reminded": lambda f: _("%(actor)s reminded %(judge)s to score %(proposal)s", **f),
}


def _fields(event, names):
    detail = _detail(event)
    proposal_id = _int(detail.get("proposal")) or (
        event.target_id if event.target_type == "Proposal" else None)
    proposals = detail.get("proposals")
    return {
        "actor": _person(event, event.actor_id, names),
        "judge": _person(event, _int(detail.get("judge")), names),
        "user": _person(event, _int(detail.get("user")), names),
        "permissions": _listed([str(permission_label(code)) for code in detail["permissions"]]
                               if isinstance(detail.get("permissions"), list) else None),
        "themes": _listed([_part(names, "theme", event, code) for code in detail["themes"]])
        if isinstance(detail.get("themes"), list) and detail["themes"] else _("all"),
        "proposal": names.proposals.get(proposal_id, detail.get("reference") or "–"),
        "round": _part(names, "round", event, detail.get("round")),
        "theme": _part(names, "theme", event, detail.get("theme")),
        "awards": _awards_listed(event, names),
        "from_tier": _part(names, "tier", event, detail.get("from_tier")) if detail.get(
            "from_tier") else _("no award"),
        "to_tier": _part(names, "tier", event, detail.get("to_tier")) if detail.get(
            "to_tier") else _("no award"),
        "decision": proposal_status_label(detail.get("decision")),
        "count": detail.get("count", len(proposals) if isinstance(proposals, list) else "–"),
        "changes": _score_changes(detail, names),
        # Pitch day: the pitch on stage, the one moved in the running order, an undone step.
        "pitch": names.proposals.get(_int(detail.get("pitch")), "–"),
        "moved": names.proposals.get(_int(detail.get("moved_proposal")), "–"),
        "step": action_label(f"live.{detail.get('step')}"),
        **{key: str(detail.get(key) or "–")
           for key in ("organization", "email", "format", "file", "subject", "number")},
    }


def sentence(event, names):
    """The entry in words, with its reason when it has one."""
    render = SENTENCES.get(event.action)
    fields = _fields(event, names)
    if render is None:
        text = _("%(actor)s: %(action)s", actor=fields["actor"],
                 action=action_label(event.action))
    else:
        text = render(fields)
    reason = _detail(event).get("reason")
    if reason:
        text = _("%(text)s. Reason: %(reason)s", text=text, reason=reason)
    return text
