"""The ranking's inputs read cheaply (issue 26): plain named rows, conflict keys computed once
per distinct value, the garbage collector paused while they are made; the ranking unchanged."""
import gc

from portal.assignment import conflicts as keys
from portal.extensions import db
from portal.models import Proposal, User
from portal.results import ranking as ranking_module
from portal.results.generation import collection_paused
from portal.results.ranking import RoundFact, round_ranking
from portal.rules.conflicts import assess
from tests.test_results import build_contest


def test_the_collector_is_paused_inside_and_restored_after():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()   # the inner pause does not end the outer one
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_ranking_is_computed_with_the_collector_paused(contest, organizer, monkeypatch):
    build_contest(contest, organizer)
    db.session.commit()
    seen = []
    compute = ranking_module.compute_ranking

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return compute(*args, **kwargs)

    monkeypatch.setattr(ranking_module, "compute_ranking", watched)
    ranking_module.forget_computed_rankings()
    round_ranking(contest)
    assert seen == [False] and gc.isenabled()


def test_the_round_s_facts_are_named_rows_equal_to_what_the_orm_reads(contest, organizer):
    build_contest(contest, organizer)
    db.session.commit()
    facts = ranking_module._round_facts(contest, contest.current_round)
    assert facts and all(type(fact) is RoundFact for fact in facts)
    for fact in facts:
        proposal = db.session.get(Proposal, fact.id)
        applicant = db.session.get(User, proposal.applicant_id)
        assert fact == (proposal.id, proposal.theme_id, proposal.entrant_type_id,
                        proposal.reference, proposal.title, proposal.submitted_at,
                        proposal.organization, proposal.contact_email, applicant.email,
                        applicant.organization)
        assert fact.submitted_at.tzinfo is not None   # aware UTC, as the column type gives it
    assert [fact.id for fact in facts] == sorted(fact.id for fact in facts)


class _Applicant:
    def __init__(self, email, organization=None):
        self.email, self.organization = email, organization


class _Proposal:
    def __init__(self, id, organization, email):
        self.id, self.organization, self.contact_email = id, organization, None
        self.applicant = _Applicant(email)


class _Judge:
    def __init__(self, id, organization, email):
        self.id, self.organization, self.email = id, organization, email


def test_conflict_keys_are_computed_once_per_distinct_value(app):
    keys.normalize_organization.cache_clear()
    keys.is_public_mail_domain.cache_clear()
    proposals = [_Proposal(n, "  Ｂｅｉｊｉｎｇ  Hope 基金会 ", f"user{n}@hope.org.cn")
                 for n in range(500)]
    judges = [_Judge(1, "beijing hope基金会", "judge@hope.org.cn"),
              _Judge(2, "Other", "judge@qq.com")]
    with app.app_context():
        found = assess(proposals, judges, [])
    assert len(found.standing) == 500
    assert set(found.standing.values()) == {("same_organization", "same_email_domain")}
    assert keys.normalize_organization.cache_info().misses <= 3
    assert keys.is_public_mail_domain.cache_info().misses <= 2
