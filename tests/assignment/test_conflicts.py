"""Conflict-of-interest rules on hand-built judges and proposals; no app needed."""
import pytest

from portal.assignment import PUBLIC_MAIL_DOMAINS, Conflict, ConflictReason, Judge, Proposal, \
    find_conflicts, is_public_mail_domain, normalize_organization, private_email_domain


def proposal(proposal_id=1, email=None, organization=None):
    return Proposal(proposal_id, "elderly", applicant_email=email, organization=organization)


def reasons_between(judge, a_proposal):
    return {(conflict.proposal_id, conflict.judge_id): conflict.reasons
            for conflict in find_conflicts([judge], [a_proposal])}


@pytest.mark.parametrize("first, second", [
    ("Zhengzhou Charity Federation", "  zhengzhou   CHARITY\tfederation "),
    ("郑州慈善总会", "郑州 慈善 总会"),
    ("郑州慈善总会", "郑州慈善总会。"),
    ("ACME Inc.", "ＡＣＭＥ　Ｉｎｃ"),          # full-width letters and ideographic space
    ("河南青年志愿者协会（筹）", "河南青年志愿者协会(筹)"),
])
def test_spellings_of_one_organization_normalize_alike(first, second):
    assert normalize_organization(first) == normalize_organization(second)


def test_different_organizations_stay_different():
    assert normalize_organization("郑州慈善总会") != normalize_organization("郑州慈善基金会")
    assert normalize_organization(None) == normalize_organization("  ") == ""


def test_same_organization_with_other_spacing_and_width_is_a_conflict():
    judge = Judge(7, organization="ＡＣＭＥ  Inc.")
    assert reasons_between(judge, proposal(organization="acme inc")) == {
        (1, 7): (ConflictReason.SAME_ORGANIZATION,)}


def test_no_organization_on_either_side_is_no_conflict():
    assert find_conflicts([Judge(7, organization="")], [proposal(organization=None)]) == ()


def test_same_private_email_domain_is_a_conflict():
    judge = Judge(7, email="li@Zzu.edu.cn")
    assert reasons_between(judge, proposal(email="wang@zzu.edu.cn")) == {
        (1, 7): (ConflictReason.SAME_EMAIL_DOMAIN,)}


@pytest.mark.parametrize("domain", ["qq.com", "163.com", "gmail.com", "vip.163.com", "vip.qq.com",
                                    "yahoo.com.cn", "mail.proton.me"])
def test_a_shared_public_domain_or_subdomain_is_no_conflict(domain):
    assert is_public_mail_domain(domain)
    judge = Judge(7, email=f"li@{domain}")
    assert find_conflicts([judge], [proposal(email=f"wang@{domain}")]) == ()


def test_public_domains_are_a_frozenset_and_lookalikes_are_private():
    assert isinstance(PUBLIC_MAIL_DOMAINS, frozenset) and "189.cn" in PUBLIC_MAIL_DOMAINS
    assert private_email_domain("li@not163.com") == "not163.com"
    assert private_email_domain("li@163.com.evil.org") == "163.com.evil.org"
    assert private_email_domain("no address") == ""


def test_declared_organization_is_a_conflict():
    judge = Judge(7, declared_organizations=["郑州市 红十字会"])
    assert reasons_between(judge, proposal(organization="郑州市红十字会")) == {
        (1, 7): (ConflictReason.DECLARED_ORGANIZATION,)}


def test_every_reason_of_a_pair_is_listed_once_in_a_fixed_order():
    judge = Judge(7, email="a@ngo.org", organization="NGO")
    found = find_conflicts([judge], [proposal(email="b@ngo.org", organization="ngo")],
                           declared_pairs=[(1, 7)], organizer_pairs=[(1, 7), (2, 7)])
    assert found == (
        Conflict(1, 7, (ConflictReason.SAME_ORGANIZATION, ConflictReason.SAME_EMAIL_DOMAIN,
                        ConflictReason.DECLARED_PROPOSAL, ConflictReason.ORGANIZER)),
        Conflict(2, 7, (ConflictReason.ORGANIZER,)),
    )


def test_conflicts_are_sorted_and_do_not_depend_on_input_order():
    judges = [Judge(2, organization="A"), Judge(1, organization="a")]
    proposals = [proposal(2, organization="A"), proposal(1, organization="B")]
    found = find_conflicts(judges, proposals)
    assert [(c.proposal_id, c.judge_id) for c in found] == [(2, 1), (2, 2)]
    assert find_conflicts(judges[::-1], proposals[::-1]) == found
