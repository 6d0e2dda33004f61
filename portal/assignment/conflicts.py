"""Conflicts of interest between judges and proposals: automatic, declared, the organizer's."""
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from portal.assignment.records import Conflict, ConflictReason

# Sharing one of these domains (or a subdomain, e.g. vip.163.com) says nothing about a tie.
PUBLIC_MAIL_DOMAINS = frozenset({
    "163.com", "126.com", "yeah.net", "qq.com", "foxmail.com", "sina.com", "sina.cn", "sohu.com",
    "aliyun.com", "139.com", "189.cn", "wo.cn", "tom.com", "gmail.com", "googlemail.com",
    "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "yahoo.com.cn",
    "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me", "yandex.com", "mail.com",
    "gmx.com", "aol.com",
})

_TRAILING_PUNCTUATION = ".,;:!?。，；：！？、·-_ "
# Chinese is written without spaces, so a space beside a CJK character is only a typing habit.
_CJK = "\u2e80-\u9fff\uf900-\ufaff"
_SPACE_BY_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
# The keys below are pure functions of a string, asked for every proposal of a contest (10,000
# on each ranking) over far fewer distinct values: each is computed once per process, up to
# this many values (a few MB at most).
KEYS_CACHED = 65536


@lru_cache(maxsize=KEYS_CACHED)
def normalize_organization(name):
    """A key under which spellings of one organization are equal; "" for no organization.

    NFKC turns full-width letters, digits and punctuation into their ASCII forms first.
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = " ".join(text.split())
    text = _SPACE_BY_CJK.sub("", text)
    return text.rstrip(_TRAILING_PUNCTUATION)


def email_domain(email):
    """The domain of an email address, lower case; "" when there is none."""
    _, at, domain = (email or "").strip().rpartition("@")
    return _normalized_domain(domain) if at else ""


@lru_cache(maxsize=KEYS_CACHED)
def _normalized_domain(domain):
    return unicodedata.normalize("NFKC", domain).casefold().strip(".")


@lru_cache(maxsize=KEYS_CACHED)
def is_public_mail_domain(domain):
    labels = domain.split(".")
    return any(".".join(labels[start:]) in PUBLIC_MAIL_DOMAINS for start in range(len(labels)))


def private_email_domain(email):
    """The email's domain when it can tie two people together, else ""."""
    domain = email_domain(email)
    return "" if is_public_mail_domain(domain) else domain


def _judges_by_key(judges, keys_of):
    index = defaultdict(list)
    for judge in judges:
        for key in keys_of(judge):
            if key:
                index[key].append(judge.id)
    return index


def _automatic_reasons(judges, proposals):
    """(proposal id, judge id) -> reasons found from organizations and email addresses."""
    by_organization = _judges_by_key(judges, lambda judge: [
        normalize_organization(judge.organization)])
    by_domain = _judges_by_key(judges, lambda judge: [private_email_domain(judge.email)])
    by_declared = _judges_by_key(judges, lambda judge: {
        normalize_organization(name) for name in judge.declared_organizations})
    reasons = defaultdict(set)
    for proposal in proposals:
        organization = normalize_organization(proposal.organization)
        domain = private_email_domain(proposal.applicant_email)
        for index, key, reason in (
                (by_organization, organization, ConflictReason.SAME_ORGANIZATION),
                (by_domain, domain, ConflictReason.SAME_EMAIL_DOMAIN),
                (by_declared, organization, ConflictReason.DECLARED_ORGANIZATION)):
            for judge_id in index.get(key, ()):
                reasons[proposal.id, judge_id].add(reason)
    return reasons


def ordered_reasons(reasons):
    """Reason codes in ConflictReason.ALL order, any other code after them by name."""
    known = [reason for reason in ConflictReason.ALL if reason in reasons]
    return tuple(known + sorted(set(reasons) - set(known)))


def find_conflicts(judges, proposals, declared_pairs=(), organizer_pairs=()):
    """Every conflicting (proposal, judge) pair with its reasons, sorted by (proposal id, judge id).

    judges: Judge records (id, email, organization, declared_organizations are read);
    proposals: Proposal records (id, applicant_email, organization are read);
    declared_pairs, organizer_pairs: (proposal id, judge id) pairs declared by judges about one
    proposal, or added by an organizer.
    """
    reasons = _automatic_reasons(judges, proposals)
    for pairs, reason in ((declared_pairs, ConflictReason.DECLARED_PROPOSAL),
                          (organizer_pairs, ConflictReason.ORGANIZER)):
        for proposal_id, judge_id in pairs:
            reasons[proposal_id, judge_id].add(reason)
    return tuple(Conflict(proposal_id, judge_id, ordered_reasons(found))
                 for (proposal_id, judge_id), found in sorted(reasons.items()))
