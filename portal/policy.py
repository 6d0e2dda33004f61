"""Who may do what to which object: the one place every view asks.

Each rule answers only for role and ownership; the contest's own rules (deadlines, limits) are
checked by the services, which explain a refusal instead of hiding the object.
"""
from flask import abort, g, has_app_context

from portal.extensions import db
from portal.models import Assignment, Contest, ContestGrant, JudgeMembership, Permission, \
    Proposal, ProposalStatus, Theme
from portal.rules.conflicts import closes_access, closing_conflict


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_organizer(user):
    return _signed_in(user) and user.is_organizer


def is_judge_of(user, contest):
    if not _signed_in(user):
        return False
    return bool(db.session.scalar(db.select(_judges_clause(user, contest.id))))


def _judges_clause(user, contest_id):
    """SQL: the user is an active judge of the contest."""
    return db.exists().where(JudgeMembership.contest_id == contest_id,
                             JudgeMembership.user_id == user.id, JudgeMembership.active)


def may_apply_to(user, contest):
    """Applicants: anyone signed in, except staff, the contest's own judges and its chairs."""
    return _signed_in(user) and not user.is_organizer and not is_judge_of(user, contest) \
        and grant_of(user, contest) is None


def owns_proposal(user, proposal):
    return _signed_in(user) and proposal.applicant_id == user.id


def may_view_proposal(user, proposal):
    """The applicant, staff, the chair of its theme, or an assigned judge without a conflict
    while it is in competition."""
    if owns_proposal(user, proposal) or is_organizer(user):
        return True
    if proposal.status != ProposalStatus.DRAFT and may_work_on(user, Permission.SCREEN,
                                                               proposal):
        return True
    return proposal.status in ProposalStatus.IN_COMPETITION and _is_assigned(user, proposal) \
        and not has_conflict(user, proposal)


def may_edit_proposal(user, proposal):
    return owns_proposal(user, proposal)


def owns_grant(user, grant):
    """The grantee: the applicant of the awarded proposal."""
    return owns_proposal(user, grant.proposal)


def may_view_grant(user, grant):
    """A grantee sees only their own grant; organizers see every grant."""
    return owns_grant(user, grant) or is_organizer(user)


def may_evaluate(user, evaluation):
    """The judge asked to evaluate a grant report, still a judge of the contest, without a
    conflict of interest with the project."""
    proposal = evaluation.report.grant.proposal
    return (_signed_in(user) and evaluation.judge_id == user.id
            and is_judge_of(user, proposal.contest) and not has_conflict(user, proposal))


def may_manage_contests(user):
    return is_organizer(user)


def grant_of(user, contest):
    """The account's grant of rights in the contest, or None. One query, remembered for the
    request on the account object (a page asks several times)."""
    if not _signed_in(user) or contest is None:
        return None
    cache = user.__dict__.setdefault("_portal_grants", {})
    if contest.id not in cache:
        cache[contest.id] = db.session.scalar(
            db.select(ContestGrant).filter_by(contest_id=contest.id, user_id=user.id))
    return cache[contest.id]


def can(user, permission, contest, theme=None):
    """May the account do `permission`'s work in the contest, and within `theme` when one is
    named? A staff organizer may do everything everywhere; anyone else needs a grant holding
    the permission, which, when limited to themes, covers only those themes. Without `theme`,
    a limited grant answers for the work of its own themes (list pages then filter by
    `theme_scope`); contest-wide work (`can_everywhere`) needs an unlimited grant."""
    if is_organizer(user):
        return True
    grant = grant_of(user, contest)
    if grant is None or permission not in grant.permissions:
        return False
    scope = grant.theme_ids
    theme_id = getattr(theme, "id", theme)
    return scope is None or theme_id is None or theme_id in scope


def may_work_on(user, permission, proposal):
    """`can` for one proposal: a chair's grant must cover the proposal's own theme (a proposal
    without a theme belongs to no chair)."""
    if is_organizer(user):
        return True
    scope = theme_scope(user, proposal.contest, permission)
    return scope is None or proposal.theme_id in scope


def can_everywhere(user, permission, contest):
    """`permission` over the whole contest: staff, or a grant not limited to themes."""
    return can(user, permission, contest) and theme_scope(user, contest, permission) is None


def theme_scope(user, contest, permission):
    """The ids of the themes whose work the account may see, or None for every theme; an
    empty set when it may see none. List pages and exports filter their query by it."""
    if is_organizer(user):
        return None
    if not can(user, permission, contest):
        return frozenset()
    return grant_of(user, contest).theme_ids


def theme_filter(user, contest, permission, theme_column=Proposal.theme_id):
    """The SQL conditions keeping a query to the themes `theme_scope` allows: none for
    every theme, a condition matching nothing when the account may see no theme."""
    scope = theme_scope(user, contest, permission)
    return [] if scope is None else [theme_column.in_(sorted(scope))]


def visible_themes(user, contest, permission):
    """The contest's themes, in its order, whose work the account may see: every drop-down and
    filter a chair sees lists these only."""
    scope = theme_scope(user, contest, permission)
    return [theme for theme in contest.themes if scope is None or theme.id in scope]


def is_chair(user):
    """Holds a grant in some contest (a theme chair), without being staff. Remembered for the
    request on the account object."""
    if not _signed_in(user) or user.is_organizer:
        return False
    if "_portal_chair" not in user.__dict__:
        user.__dict__["_portal_chair"] = db.session.scalar(
            db.select(ContestGrant.id).filter_by(user_id=user.id).limit(1)) is not None
    return user.__dict__["_portal_chair"]


def _contest_by_slug(slug):
    """The contest, looked up once a request (a menu asks for each of its tabs)."""
    found = g.setdefault("_portal_contests", {})
    if slug not in found:
        found[slug] = db.session.scalar(db.select(Contest).filter_by(slug=slug))
    return found[slug]


# Organizer routes a grant may open, and the permission each needs. A route in THEME_ROUTES
# does a theme's work: a chair of any theme of the contest gets in, the page shows only the
# chair's themes, and an object outside them is not found. A route in CONTEST_ROUTES does the
# contest's work: only a grant not limited to themes opens it. Every other organizer route
# (the site's settings, accounts, mail) is for staff only.
THEME_ROUTES = {
    "dashboard.overview": Permission.SCREEN,
    "proposals_admin.proposals": Permission.SCREEN,
    ("proposals_admin.proposal", "GET"): Permission.SCREEN,
    ("proposals_admin.proposal", "POST"): Permission.ASSIGN,
    "proposals_admin.decide_withdrawal": Permission.SCREEN,
    "screening.decide": Permission.SCREEN,
    "screening.undo": Permission.SCREEN,
    "screening.decide_many": Permission.SCREEN,
    # The judges a chair works with (portal.judging.scope), and inviting more.
    "judges.index": Permission.JUDGES,
    # Paper scores: the template and the import hold the chair's themes' assignments only.
    "exports.score_template": Permission.JUDGES,
    "exports.score_import": Permission.JUDGES,
    # Rounds are read-only here: closing and reopening one is the contest's (CONTEST_ROUTES).
    "judging_admin.rounds": Permission.ASSIGN,
    "judging_admin.plan": Permission.ASSIGN,
    "judging_admin.judge_proposals": Permission.ASSIGN,
    "judging_admin.reassign": Permission.ASSIGN,
    "judging_admin.conflicts_page": Permission.ASSIGN,
    "judging_admin.remove_conflict": Permission.ASSIGN,
    "results.ranking": Permission.RANKING,
    "results.judge_statistics": Permission.RANKING,
    "exports.index": Permission.EXPORT,
    "exports.download": Permission.EXPORT,
    "exports.award_list": Permission.EXPORT,
    "certificates.print_all": Permission.EXPORT,
    # The meeting pack of ticked proposals: only those of the chair's themes are accepted.
    "exports.meeting_pack_selection": Permission.EXPORT,
    # A large export is prepared by a job; its file is the requester's own (file_of).
    "prepared.show": Permission.EXPORT,
    "prepared.progress": Permission.EXPORT,
    "prepared.download": Permission.EXPORT,
    # A chair proposes their themes' winners; an organizer confirms (CONTEST_ROUTES).
    "award_proposals.index": Permission.AWARDS,
    "award_proposals.theme": Permission.AWARDS,
}
CONTEST_ROUTES = {
    "results.advance": Permission.RANKING,
    "results.ranking_settings": Permission.SETTINGS,
    "setup.settings": Permission.SETTINGS,
    "setup.parts": Permission.SETTINGS,
    "judges.send_invitations": Permission.JUDGES,
    # A round is every theme's: closing or reopening it changes the contest's settings.
    "judging_admin.toggle_round": Permission.SETTINGS,
    "judging_admin.reopen_round": Permission.SETTINGS,
    "judging_admin.remind": Permission.JUDGES,
    "awards.index": Permission.AWARDS,
    "awards.preview": Permission.AWARDS,
    "awards.allocate": Permission.AWARDS,
    "award_proposals.review": Permission.AWARDS,
    "award_proposals.confirm": Permission.AWARDS,
    "award_proposals.send_back": Permission.AWARDS,
    "awards.publication": Permission.PUBLISH,
    "awards.publish": Permission.PUBLISH,
    "awards.finalize": Permission.PUBLISH,
    "exports.meeting_pack": Permission.EXPORT,
    "exports.poster": Permission.EXPORT,
}


def _route_permission(table, endpoint, method):
    return table.get((endpoint, method), table.get(endpoint))


def may_open_organizer_route(user, endpoint, method, view_args):
    """The guard of every organizer page: staff pass; a chair passes the routes its grant
    opens (THEME_ROUTES, CONTEST_ROUTES), and a proposal outside its themes is not found
    (404, as for a proposal that does not exist); everyone else is refused (403)."""
    refusal = organizer_route_refusal(user, endpoint, method, view_args)
    if refusal is not None:
        abort(refusal)


def opens(user, endpoint, **view_args):
    """May the account open this organizer page (GET)? For menus and links."""
    return organizer_route_refusal(user, endpoint, "GET", view_args) is None


def organizer_route_refusal(user, endpoint, method, view_args):
    """None when the account may use the organizer route, else the status refusing it."""
    if is_organizer(user):
        return None
    if not is_chair(user):
        return 403
    contest, proposal, theme = _route_object(view_args or {})
    if contest is None:
        return 403
    permission = _route_permission(THEME_ROUTES, endpoint, method)
    if permission is not None:
        if not can(user, permission, contest):
            return 403
        if proposal is not None and not may_work_on(user, permission, proposal):
            return 404
        if theme is not None and not can(user, permission, contest, theme):
            return 404
        return None
    permission = _route_permission(CONTEST_ROUTES, endpoint, method)
    if permission is None or not can_everywhere(user, permission, contest):
        return 403
    return None


# Arguments a contest's route may name besides the slug: the view looks the object up within
# the contest (404 otherwise) and keeps a chair's work to their themes.
CONTEST_PARTS = {"file_id", "round_id", "action", "membership_id", "award_proposal_id"}


def _route_object(view_args):
    """The contest a route's arguments name, and the proposal and theme they name (None when
    they name none). A prepared file is found among the requester's own files of the contest,
    an awards proposal among the contest's (its pages are CONTEST_ROUTES). Routes naming
    anything else give (None, None, None): staff only."""
    names = set(view_args)
    if names == {"slug", "theme_code"}:
        contest = _contest_by_slug(view_args["slug"])
        theme = contest and db.session.scalar(db.select(Theme).filter_by(
            contest_id=contest.id, code=view_args["theme_code"]))
        if contest is not None and theme is None:
            abort(404)
        return contest, None, theme
    if "slug" in names and names - {"slug"} <= CONTEST_PARTS:
        return _contest_by_slug(view_args["slug"]), None, None
    if names == {"proposal_id"}:
        proposal = db.session.get(Proposal, view_args["proposal_id"])
        if proposal is None:
            abort(404)
        return proposal.contest, proposal, None
    if names == {"assignment_id"}:
        assignment = db.session.get(Assignment, view_args["assignment_id"])
        if assignment is None:
            abort(404)
        return assignment.proposal.contest, assignment.proposal, None
    return None, None, None


def may_review(user, assignment):
    """The assigned judge, still an active judge of the contest, on a proposal in competition,
    without a conflict of interest (is_judge_of and has_conflict, asked in one statement)."""
    proposal = assignment.proposal
    if not (_signed_in(user) and assignment.judge_id == user.id
            and proposal.status in ProposalStatus.IN_COMPETITION):
        return False
    judges, conflicted = db.session.execute(db.select(
        _judges_clause(user, proposal.contest_id),
        closing_conflict(user.id, proposal.id, proposal.contest_id))).one()
    return bool(judges) and not conflicted


def has_conflict(user, proposal):
    """True when the judge may no longer see or score an assigned proposal: a conflict recorded
    for the pair. Automatic conflicts keep proposals from being assigned but never change
    access, so that a judge's own declaration cannot tell them who applied
    (portal.rules.conflicts). One query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return closes_access(user, proposal)


def _is_assigned(user, proposal):
    if not _signed_in(user) or not is_judge_of(user, proposal.contest):
        return False
    return db.session.scalar(
        db.select(Assignment.id).filter_by(proposal_id=proposal.id, judge_id=user.id)
    ) is not None


def judges_any_clause(user_id):
    """SQL: the user (an id or a column) is an active judge of at least one contest."""
    return db.exists().where(JudgeMembership.user_id == user_id, JudgeMembership.active)


def owns_any_clause(user_id):
    """SQL: the user (an id or a column) owns at least one proposal."""
    return db.exists().where(Proposal.applicant_id == user_id)


MENU_FACTS = "menu_facts"


def remember_menu_facts(user, judges, owns_proposal):
    """What menu_roles needs, read with the request's user (portal.accounts.services.load_user):
    the menu then costs no statement. As of the request's start, like the user row itself."""
    g.setdefault(MENU_FACTS, {})[user.id] = (judges, owns_proposal)


def menu_roles(user):
    """The roles whose pages the main menu offers the user, their home's first: "organizer";
    else "judge" for an active judge, with "applicant" too when they own a proposal; else
    "applicant". Nobody is offered a page that would refuse them (tests/test_menus.py)."""
    if not _signed_in(user):
        return ()
    if user.is_organizer:
        return ("organizer",)
    facts = g.get(MENU_FACTS, {}).get(user.id) if has_app_context() else None
    if facts is None:
        facts = db.session.execute(db.select(judges_any_clause(user.id),
                                             owns_any_clause(user.id))).one()
    judges, owns_any = facts
    if not judges:
        return ("applicant",)
    return ("judge", "applicant") if owns_any else ("judge",)


HOMES = {"organizer": "console.index", "judge": "judging.index", "applicant": "proposals.mine"}


def home_endpoint(user):
    """Where the user lands after logging in: the console, their assignments or their
    proposals."""
    return HOMES[menu_roles(user)[0]]


def require(allowed, status=403):
    """Stop the request unless allowed: 404 hides an object's existence, 403 refuses a role."""
    if not allowed:
        abort(status)
