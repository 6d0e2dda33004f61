"""All models, importable from one place."""
from portal.models.accounts import User
from portal.models.audit import AuditEvent, Notification
from portal.models.award_proposals import AwardProposal, AwardProposalLine, \
    AwardProposalState
from portal.models.base import UTCDateTime, utcnow
from portal.models.certificates import Certificate
from portal.models.contests import (AwardScope, AwardTier, Contest, ContestStatus, Criterion,
                                    EntrantType, Invitation, InvitationRole, JudgeMembership,
                                    Round, SiteSettings, Theme, judge_expertise)
from portal.models.files import FileStatus, PreparedFile
from portal.models.grants import BudgetChange, ChangeStatus, Grant, GrantLine, \
    GrantReport, Milestone, ReportAttachment, ReportEvaluation, ReportKind, ReportSpending, \
    ReportStatus, Tranche, TrancheCondition
from portal.models.rights import ContestGrant, Permission, grant_themes
from portal.models.live import LivePitch, LiveReceipt, LiveRule, LiveSession, LiveState, \
    LiveStep, PitchStatus
from portal.models.mail import MailBatch, MailStatus, MailTemplate, OutboxMessage
from portal.models.judging import Assignment, Award, Conflict, ConflictKind, Objection, \
    Publication, PublicationStage, RankingGeneration, RankingSnapshot, Review, Score
from portal.models.proposals import Attachment, BudgetLine, Proposal, ProposalEvent, \
    ProposalStatus

__all__ = [
    "BudgetChange", "ChangeStatus", "Grant", "GrantLine", "GrantReport", "Milestone",
    "ReportAttachment", "ReportEvaluation", "ReportKind", "ReportSpending", "ReportStatus",
    "Tranche", "TrancheCondition",
    "Award", "Conflict", "ConflictKind", "Objection", "Publication", "PublicationStage",
    "RankingGeneration", "RankingSnapshot",
    "AwardScope", "AwardTier", "InvitationRole", "SiteSettings", "judge_expertise",
    "Assignment", "Attachment", "FileStatus", "PreparedFile", "AuditEvent", "Certificate",
    "BudgetLine", "Contest", "ContestStatus", "Criterion", "EntrantType",
    "Invitation", "JudgeMembership", "LivePitch", "LiveReceipt", "LiveRule", "LiveSession",
    "LiveState", "LiveStep", "PitchStatus", "MailBatch", "MailStatus", "MailTemplate", "OutboxMessage",
    "Notification", "Proposal", "ProposalEvent", "ProposalStatus", "Review",
    "ContestGrant", "Permission", "grant_themes",
    "AwardProposal", "AwardProposalLine", "AwardProposalState",
    "Round", "Score", "Theme", "User", "UTCDateTime", "utcnow",
]
