"""Rules several stages read: who takes part in a round, the round's scoring window, whether a
score fits its criterion, how a judge is named and how a mail greets its recipient."""
from flask_babel import format_datetime, gettext

from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import ProposalStatus, Publication, utcnow
from portal.rules import criteria
from portal.text_order import pinyin_key

# Later rounds judge the proposals that advanced to them (awarded ones advanced before that).
LATER_ROUND_STATUSES = (ProposalStatus.ADVANCED, ProposalStatus.AWARDED)


def is_first_round(contest_round):
    """The contest's first round: positions are numbered from 1 by the contest file and by the
    setup pages (portal.contests.loader, setup.services.save_parts), so no query is needed."""
    return contest_round.position == 1


def round_statuses(contest_round):
    """The proposal statuses that take part in a round: every proposal in competition in the
    first round (submitted, eligible, and those that went further), advanced ones later."""
    if is_first_round(contest_round):
        return ProposalStatus.IN_COMPETITION
    return LATER_ROUND_STATUSES


def _beijing(moment):
    return format_datetime(moment, "yyyy-MM-dd HH:mm")


def scoring_refusal(contest_round, now=None):
    """Why scores of the round cannot change now (a message), or None while they can: the
    round is closed, or its judging window has not opened or has ended."""
    now = now or utcnow()
    if contest_round.closed_at is not None:
        return _l("This round is closed: scores can no longer be changed.")
    if contest_round.opens_at is not None and now < contest_round.opens_at:
        return _l("Scoring for this round opens on %(time)s (Beijing time).",
                  time=_beijing(contest_round.opens_at))
    if contest_round.closes_at is not None and now >= contest_round.closes_at:
        return _l("The judging window of this round ended on %(time)s (Beijing time): scores "
                  "can no longer be changed.", time=_beijing(contest_round.closes_at))
    return None


class ScoreRefused(DomainError):
    """A score that does not fit its criterion; `criterion_id` says which, for the form."""

    def __init__(self, message, criterion_id):
        super().__init__(message)
        self.criterion_id = criterion_id


def check_score(criterion, value):
    """Refuse (ScoreRefused) a value outside the criterion's scale or off its steps."""
    refusal = criteria.kind_of(criterion).refusal(criterion, value)
    if refusal is not None:
        raise ScoreRefused(refusal, criterion.id)


def judge_name(user):
    """How a judge (or any account) is named on pages and in files: the name, else the email."""
    if user is None:
        return ""
    return user.display_name or user.email


def addressee_name(person):
    """How a mail names its recipient, in the greeting and the {name} placeholder: an account
    or an invitation as judge_name names it (the name, else the email), anyone else (an
    objector) by the name they gave, else their address; text is a name already."""
    if person is None or isinstance(person, str):
        return person or ""
    if hasattr(person, "display_name"):
        return judge_name(person)
    return getattr(person, "name", None) or getattr(person, "contact_email", None) or ""


def greeting(person):
    """A mail's first line, 「王小明，您好：」: the one greeting of every mail template."""
    # Plain text, not lazy: mail bodies are text templates, escaped where an HTML one shows it.
    return gettext("Hello %(name)s,", name=addressee_name(person))


def by_judge_name(user):
    """Sort key: judges by name in pinyin order (Chinese names), as lists of people read."""
    return pinyin_key(judge_name(user)), user.id


def publication_of(contest):
    """The contest's publication (provisional or final), or None: what the award stage and the
    stages after it (grants) read of the results."""
    return db.session.scalar(db.select(Publication).filter_by(contest_id=contest.id))
