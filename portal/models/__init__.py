"""All models, importable from one place."""
from portal.models.accounts import User
from portal.models.audit import AuditEvent
from portal.models.base import UTCDateTime, utcnow
from portal.models.contests import (Contest, ContestStatus, Criterion, EntrantType,
                                    Invitation, JudgeMembership, Round, Theme)
from portal.models.judging import Assignment, Review, Score
from portal.models.proposals import Proposal, ProposalEvent, ProposalStatus

__all__ = [
    "Assignment", "AuditEvent", "Contest", "ContestStatus", "Criterion", "EntrantType",
    "Invitation", "JudgeMembership", "Proposal", "ProposalEvent", "ProposalStatus", "Review",
    "Round", "Score", "Theme", "User", "UTCDateTime", "utcnow",
]
