"""The plain records that go into the assignment planner and the conflict rules, and come out."""
from dataclasses import dataclass
from typing import Hashable


class ConflictReason:
    SAME_ORGANIZATION = "same_organization"
    SAME_EMAIL_DOMAIN = "same_email_domain"
    DECLARED_ORGANIZATION = "declared_organization"
    # Given as explicit pairs: a judge's declaration about one proposal, an organizer's decision.
    DECLARED_PROPOSAL = "declared_proposal"
    ORGANIZER = "organizer"

    # Also the order in which a conflict lists its reasons.
    ALL = (SAME_ORGANIZATION, SAME_EMAIL_DOMAIN, DECLARED_ORGANIZATION, DECLARED_PROPOSAL,
           ORGANIZER)


class IssueKind:
    SHORTFALL = "shortfall"
    OUTSIDE_EXPERTISE = "outside_expertise"
    OVER_ASSIGNED = "over_assigned"
    DISCONNECTED = "disconnected"
    CONFLICTED_JUDGE = "conflicted_judge"
    INACTIVE_JUDGE = "inactive_judge"
    UNKNOWN_JUDGE = "unknown_judge"
    UNKNOWN_PROPOSAL = "unknown_proposal"

    # An existing assignment of one of these kinds is not kept: the organizer should reassign it.
    INVALID_ASSIGNMENT = (CONFLICTED_JUDGE, INACTIVE_JUDGE, UNKNOWN_JUDGE, UNKNOWN_PROPOSAL)


@dataclass(frozen=True)
class Judge:
    """A judge of the contest: what the planner and the conflict rules need to know."""

    id: Hashable
    expertise: frozenset = frozenset()  # theme codes
    active: bool = True
    email: str | None = None
    organization: str | None = None
    # Organizations the judge declared a conflict of interest with.
    declared_organizations: frozenset = frozenset()

    def __post_init__(self):
        # Callers hand in lists from queries and forms; frozen sets keep the record hashable.
        object.__setattr__(self, "expertise", frozenset(self.expertise))
        object.__setattr__(self, "declared_organizations",
                           frozenset(self.declared_organizations))


@dataclass(frozen=True)
class Proposal:
    """A proposal of the round, with its theme and who submitted it."""

    id: Hashable
    theme: str  # theme code
    theme_name: str | None = None  # what messages show; the code when missing
    applicant_email: str | None = None
    organization: str | None = None

    @property
    def theme_label(self):
        return self.theme_name or self.theme


@dataclass(frozen=True, order=True)
class Assignment:
    proposal_id: Hashable
    judge_id: Hashable


@dataclass(frozen=True)
class Conflict:
    """A judge who must not review a proposal, and every reason why (ConflictReason codes)."""

    proposal_id: Hashable
    judge_id: Hashable
    reasons: tuple = ()


@dataclass(frozen=True)
class Issue:
    """Something the plan could not satisfy or wants the organizer to look at.

    The fields a kind fills:
    - shortfall: the proposal has fewer than k judges. needed = k, available = judges it has;
      capped = eligible judges it could not have because they reached the load cap.
    - outside_expertise: the theme pool could not supply its share (k less the cross-theme
      seats), so more judges without the theme's expertise were added. needed = k,
      available = judges from the theme pool it has.
    - over_assigned: existing assignments exceed k; none is removed. needed = k, available =
      judges it has.
    - disconnected: with cross-theme seats, the judges still fall into several groups that share
      no proposal (see design.py), and no move within the rules links them. groups = how many.
    - conflicted_judge, inactive_judge, unknown_judge, unknown_proposal: an existing assignment
      (proposal_id, judge_id) that is not kept; reasons = the conflict's reasons.
    """

    kind: str
    message: str
    proposal_id: Hashable = None
    theme: str | None = None
    theme_name: str | None = None
    judge_id: Hashable = None
    needed: int | None = None
    available: int | None = None
    capped: int = 0
    reasons: tuple = ()
    groups: int = 0


@dataclass(frozen=True)
class JudgeLoad:
    """How many proposals a judge reviews in the round once the plan is saved."""

    judge_id: Hashable
    kept: int
    new: int

    @property
    def total(self):
        return self.kept + self.new


@dataclass(frozen=True)
class Plan:
    """What automatic assignment proposes; nothing is written until the web layer saves it.

    new, kept and invalid are sorted by (proposal id, judge id); loads by judge id.
    invalid: existing assignments not kept (each has an issue saying why).
    """

    k: int
    max_load: int | None
    new: tuple
    kept: tuple
    invalid: tuple
    loads: tuple
    issues: tuple
    cross_theme_seats: int = 0   # per proposal, after min(asked, k - 1)
    component_count: int = 0     # groups of judges linked by shared proposals (design.py)

    @property
    def connected(self):
        """Whether every two judges are linked through shared proposals (all themes comparable)."""
        return self.component_count <= 1

    def judges_by_proposal(self):
        """Proposal id -> the ids of its judges once the plan is saved (kept and new), sorted."""
        judges = {}
        for assignment in sorted(self.new + self.kept):
            judges.setdefault(assignment.proposal_id, []).append(assignment.judge_id)
        return judges

    def judges_for(self, proposal_id):
        return self.judges_by_proposal().get(proposal_id, [])

    def load_by_judge(self):
        return {load.judge_id: load.total for load in self.loads}
