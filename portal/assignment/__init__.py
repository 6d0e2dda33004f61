"""Judge assignment and conflicts of interest: plain data in and out; no Flask, no database."""
from portal.assignment.conflicts import PUBLIC_MAIL_DOMAINS, email_domain, find_conflicts, \
    is_public_mail_domain, normalize_organization, private_email_domain
from portal.assignment.planner import plan_assignments
from portal.assignment.records import Assignment, Conflict, ConflictReason, Issue, IssueKind, \
    Judge, JudgeLoad, Plan, Proposal

__all__ = [
    "Assignment", "Conflict", "ConflictReason", "Issue", "IssueKind", "Judge", "JudgeLoad",
    "PUBLIC_MAIL_DOMAINS", "Plan", "Proposal", "email_domain", "find_conflicts",
    "is_public_mail_domain", "normalize_organization", "plan_assignments",
    "private_email_domain",
]
