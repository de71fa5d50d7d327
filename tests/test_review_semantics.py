"""Review semantics: which rules a change triggers, and whether the reviews given satisfy them."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from martechgate.check.model import Organization, ReviewRule
from martechgate.check.organisation import load_organization, parse_organization
from martechgate.errors import UsageError
from martechgate.gate.applicable import ChangedFile, applicable_rules, exceptions_differ, rules_for_change
from martechgate.gate.review import (
    APPROVED,
    CHANGES_REQUESTED,
    DISMISSED,
    Review,
    RuleVerdict,
    Verdict,
    evaluate,
    max_matching,
    parse_reviews,
)
from martechgate.sources.changes import compute
from martechgate.sources.repo import WorkTree
from tests.conftest import FIXTURES, ROOT, GovRepo, entry

ORG = parse_organization((ROOT / "martechgate.yaml").read_bytes())


def names(triggered: list[tuple[Any, str]]) -> list[str]:
    return [rule.name for rule, _ in triggered]


def rules_for_entry(
    org: Organization, data: dict[str, Any], previous: dict[str, Any] | None = None
) -> list[tuple[ReviewRule, str]]:
    """The rules a pull request adding (or, with `previous`, changing) the entry triggers."""
    path = f"catalog/{data['id']}.yaml"
    changed = ChangedFile(
        path, "A" if previous is None else "M", None, data, previous, None, exceptions_differ(data, previous)
    )
    return [(applied.rule, applied.reason) for applied in applicable_rules(org, [changed])]


def test_a_plain_low_risk_entry_needs_marketing_and_it_only() -> None:
    triggered = rules_for_entry(ORG, entry("canva"))
    assert names(triggered) == ["joint-cmo-cio"]
    assert triggered[0][1] == "catalog/canva.yaml matches catalog/**"


def test_personal_data_high_risk_and_big_spend_add_their_groups() -> None:
    data = entry(
        "hubspot",
        data={"classification": "confidential", "categories": ["contact-pii"]},
        contract={"annual_cost": 60000, "currency": "USD"},
    )
    triggered = dict((rule.name, why) for rule, why in rules_for_entry(ORG, data))
    assert list(triggered) == ["joint-cmo-cio", "high-risk", "personal-data", "big-spend"]
    assert "risk tier high" in triggered["high-risk"]
    assert "declared low, computed high" in triggered["high-risk"]
    assert triggered["personal-data"] == "holds contact-pii"
    assert triggered["big-spend"] == "annual cost 60,000 USD is over 50,000 USD"


def test_declared_tier_above_computed_counts() -> None:
    data = entry("tool", review={"risk_tier": "critical"})
    assert "high-risk" in names(rules_for_entry(ORG, data))


def test_cost_equal_to_the_threshold_is_not_over_it() -> None:
    data = entry("tool", contract={"annual_cost": 50000})
    assert "big-spend" not in names(rules_for_entry(ORG, data))


def test_exceptions_on_a_new_entry_are_new_and_unchanged_ones_are_not() -> None:
    waiver = [{"rule": "pii-requires-scim", "reason": "r", "approved_by": "ciso@example.com", "expires": "2027-01-31"}]
    data = entry("tool", exceptions=waiver)
    assert "new-exception" in names(rules_for_entry(ORG, data))
    assert "new-exception" not in names(rules_for_entry(ORG, data, previous=entry("tool", exceptions=waiver)))


def test_governance_paths_trigger_only_the_rules_that_name_them() -> None:
    found = applicable_rules(ORG, [ChangedFile("policies/pii-requires-sso.yaml"), ChangedFile("README.md")])
    assert [applied.rule.name for applied in found] == ["governance-change"]
    assert found[0].reason == "policies/pii-requires-sso.yaml matches policies/**"


def test_all_conditions_of_one_when_must_hold() -> None:
    text = (
        (ROOT / "martechgate.yaml")
        .read_text()
        .replace(
            "review:\n  rules:\n",
            "review:\n  rules:\n    - {name: pii-trials, when: {statuses: [trial],"
            " data_categories: [contact-pii]}, require: {privacy: 1}}\n",
        )
    )
    org = parse_organization(text.encode())
    pii = {"classification": "internal", "categories": ["contact-pii"]}
    assert "pii-trials" in names(rules_for_entry(org, entry("t", status="trial", data=pii)))
    assert "pii-trials" not in names(rules_for_entry(org, entry("t", status="approved", data=pii)))
    assert "pii-trials" not in names(rules_for_entry(org, entry("t", status="trial")))


# --- A change on a branch, judged against the merge base's rules -------------------------------------

MARKETING = ["alice-chen", "bob-okafor"]
IT = ["carol-diaz", "dan-kowalski"]
PII = {
    "classification": "confidential",
    "categories": ["contact-pii"],
    "subjects": ["prospects"],
    "residency": ["US"],
    "transfer_mechanism": "none",
    "retention_days": 365,
}
WAIVER = {
    "rule": "pii-requires-scim",
    "reason": "Enterprise tier only",
    "approved_by": "ciso@example.com",
    "ticket": "SEC-1",
    "expires": "2027-01-31",
}


def branch(gov: GovRepo, name: str = "pr") -> None:
    gov.git("checkout", "-q", "-b", name)


def judge(
    gov: GovRepo,
    reviews: list[Review],
    author: str = "mallory",
    *,
    head: str = "pr",
    teams: dict[str, list[str]] | None = None,
    org_text: str | None = None,
) -> Verdict:
    changeset = compute(gov.path, "main", head)
    org = parse_organization(org_text.encode()) if org_text else load_organization(changeset.base)
    return evaluate(org, changeset, reviews, author, teams=teams)


def approve(user: str, commit: str | None) -> Review:
    return Review(user, APPROVED, commit)


def rule(verdict: Verdict, name: str) -> RuleVerdict:
    return next(r for r in verdict.rules if r.name == name)


@pytest.fixture
def proposal(gov: GovRepo) -> tuple[GovRepo, str]:
    """A pull request adding one low-risk tool: it needs marketing and IT."""
    branch(gov)
    gov.add_entry("canva")
    return gov, gov.commit("Propose canva")


def test_joint_approval_by_marketing_and_it_is_approved(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    verdict = judge(gov, [approve("alice-chen", head), approve("carol-diaz", head)])
    assert [r.name for r in verdict.rules] == ["joint-cmo-cio"]
    assert verdict.approved
    joint = rule(verdict, "joint-cmo-cio")
    assert joint.why == ("catalog/canva.yaml (added) matches catalog/**",)
    assert [(s.group, s.reviewer) for s in joint.seats] == [("marketing", "alice-chen"), ("it", "carol-diaz")]


def test_one_side_alone_is_not_enough_and_says_who_can_still_approve(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    verdict = judge(gov, [approve("alice-chen", head)])
    joint = rule(verdict, "joint-cmo-cio")
    assert not verdict.approved and not joint.satisfied
    assert joint.can_satisfy == {"it": ("carol-diaz", "dan-kowalski", "@acme/it-architecture")}


def test_latest_approved_or_changes_requested_is_the_users_verdict(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    changed_mind = [
        Review("alice-chen", CHANGES_REQUESTED, head),
        approve("alice-chen", head),
        approve("carol-diaz", head),
    ]
    assert judge(gov, changed_mind).approved
    withdrawn = [
        approve("alice-chen", head),
        Review("alice-chen", CHANGES_REQUESTED, head),
        approve("carol-diaz", head),
    ]
    verdict = judge(gov, withdrawn)
    assert not verdict.approved
    assert rule(verdict, "joint-cmo-cio").blocked_by == ("alice-chen",)


def test_commented_and_pending_reviews_are_ignored(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    reviews = [
        approve("alice-chen", head),
        Review("alice-chen", "COMMENTED", head),
        approve("carol-diaz", head),
        Review("carol-diaz", "PENDING", head),
    ]
    assert judge(gov, reviews).approved
    only_comments = [Review("alice-chen", "COMMENTED", head), Review("carol-diaz", "PENDING", head)]
    verdict = judge(gov, only_comments)
    assert not verdict.approved and verdict.reviewers == ()


def test_a_dismissed_latest_review_leaves_no_verdict(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    dismissed = [approve("alice-chen", head), Review("alice-chen", DISMISSED, head), approve("carol-diaz", head)]
    verdict = judge(gov, dismissed)
    assert not verdict.approved
    assert rule(verdict, "joint-cmo-cio").seats[0].reviewer is None
    # A dismissed request for changes no longer blocks; an approval after a dismissal counts.
    unblocked = [
        Review("alice-chen", CHANGES_REQUESTED, head),
        Review("alice-chen", DISMISSED, head),
        approve("bob-okafor", head),
        approve("carol-diaz", head),
    ]
    assert judge(gov, unblocked).approved
    again = [Review("alice-chen", DISMISSED, head), approve("alice-chen", head), approve("carol-diaz", head)]
    assert judge(gov, again).approved


def test_the_author_never_counts(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    verdict = judge(gov, [approve("alice-chen", head), approve("carol-diaz", head)], author="Alice-Chen")
    joint = rule(verdict, "joint-cmo-cio")
    assert not verdict.approved
    assert joint.seats[0].reviewer is None
    assert "alice-chen" not in joint.can_satisfy["marketing"]
    assert [r["counted"] for r in verdict.to_dict()["reviewers"]] == [False, True]


def test_the_author_counts_only_when_the_organisation_allows_it(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    text = (gov.path / "martechgate.yaml").read_text().replace("author_can_approve: false", "author_can_approve: true")
    reviews = [approve("alice-chen", head), approve("carol-diaz", head)]
    assert judge(gov, reviews, author="alice-chen", org_text=text).approved


def test_a_request_for_changes_from_outside_the_required_groups_does_not_block(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    reviews = [
        approve("alice-chen", head),
        approve("carol-diaz", head),
        Review("grace-lee", CHANGES_REQUESTED, head),
        Review("random-dev", CHANGES_REQUESTED, head),
    ]
    assert judge(gov, reviews).approved


def test_a_request_for_changes_blocks_even_when_every_seat_is_filled(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    reviews = [
        approve("alice-chen", head),
        approve("carol-diaz", head),
        Review("dan-kowalski", CHANGES_REQUESTED, head),
    ]
    verdict = judge(gov, reviews)
    joint = rule(verdict, "joint-cmo-cio")
    assert all(seat.reviewer for seat in joint.seats)
    assert not joint.satisfied and joint.blocked_by == ("dan-kowalski",)


# --- distinct_reviewers: a matching across every seat of every rule ----------------------------------


def test_someone_in_both_marketing_and_it_cannot_approve_alone(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    teams = {"acme/marketing-ops": ["pat-both"], "acme/it-architecture": ["pat-both"]}
    verdict = judge(gov, [approve("pat-both", head)], teams=teams)
    joint = rule(verdict, "joint-cmo-cio")
    assert not verdict.approved
    assert sum(1 for seat in joint.seats if seat.reviewer == "pat-both") == 1


def test_without_distinct_reviewers_one_person_may_fill_both_sides(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    text = (gov.path / "martechgate.yaml").read_text().replace("distinct_reviewers: true", "distinct_reviewers: false")
    teams = {"acme/marketing-ops": ["pat-both"], "acme/it-architecture": ["pat-both"]}
    assert judge(gov, [approve("pat-both", head)], teams=teams, org_text=text).approved


def test_the_matching_moves_a_reviewer_to_where_only_they_fit(proposal: tuple[GovRepo, str]) -> None:
    """aaron sorts first and could take the marketing seat, but IT has nobody else: a greedy pass fails."""
    gov, head = proposal
    teams = {"acme/marketing-ops": ["aaron-both"], "acme/it-architecture": ["aaron-both"]}
    verdict = judge(gov, [approve("aaron-both", head), approve("bob-okafor", head)], teams=teams)
    assert verdict.approved
    seats = {s.group: s.reviewer for s in rule(verdict, "joint-cmo-cio").seats}
    assert seats == {"marketing": "bob-okafor", "it": "aaron-both"}


def test_two_rules_needing_the_same_group_need_two_people(gov: GovRepo) -> None:
    """A tool and a policy change need IT twice (joint and governance): one IT approval fills one."""
    branch(gov)
    gov.add_entry("canva")
    gov.write("policies/README.md", "notes\n")
    head = gov.commit("Tool and policy")
    one_it = [approve("alice-chen", head), approve("carol-diaz", head), approve("erin-walsh", head)]
    verdict = judge(gov, one_it)
    assert [r.name for r in verdict.rules] == ["joint-cmo-cio", "governance-change"]
    assert not verdict.approved
    assert judge(gov, [*one_it, approve("dan-kowalski", head)]).approved


def test_teams_add_members_and_unresolved_teams_are_named(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    teams = {"ACME/Marketing-Ops": ["zoe-new"]}
    verdict = judge(gov, [approve("zoe-new", head), approve("carol-diaz", head)], teams=teams)
    assert verdict.approved
    open_it = judge(gov, [approve("zoe-new", head)], teams=teams)
    assert rule(open_it, "joint-cmo-cio").can_satisfy == {"it": ("carol-diaz", "dan-kowalski", "@acme/it-architecture")}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcde"), unique=True, max_size=5), max_size=6))
def test_max_matching_is_maximum_and_distinct(seats: list[list[str]]) -> None:
    filled = max_matching(seats)
    people = [p for p in filled if p is not None]
    assert len(people) == len(set(people))
    assert all(p is None or p in seats[i] for i, p in enumerate(filled))
    best = 0
    for choice in itertools.product(*[[None, *options] for options in seats]):
        chosen = [c for c in choice if c is not None]
        if len(chosen) == len(set(chosen)):
            best = max(best, len(chosen))
    assert len(people) == best


# --- dismiss_stale -----------------------------------------------------------------------------------


def test_an_approval_of_an_older_commit_is_stale_once_the_entry_changed(proposal: tuple[GovRepo, str]) -> None:
    gov, first = proposal
    gov.add_entry("canva", purpose="Design everything")
    second = gov.commit("Edit canva")
    verdict = judge(gov, [approve("alice-chen", first), approve("carol-diaz", second)])
    joint = rule(verdict, "joint-cmo-cio")
    assert not verdict.approved and joint.stale == ("alice-chen",)
    assert joint.seats[0].reviewer is None


def test_an_approval_of_an_older_commit_stands_when_nothing_it_governs_changed(proposal: tuple[GovRepo, str]) -> None:
    gov, first = proposal
    gov.write("README.md", "unrelated\n")
    gov.commit("Unrelated")
    assert judge(gov, [approve("alice-chen", first), approve("carol-diaz", first)]).approved


def test_staleness_is_per_rule(gov: GovRepo) -> None:
    """erin approved both the high-risk tool and a policy; then only the policy changed."""
    branch(gov)
    gov.add_entry("hub", data=PII, review={"risk_tier": "high"})
    gov.write("policies/README.md", "notes\n")
    first = gov.commit("High-risk tool and a policy note")
    gov.write("policies/README.md", "notes, edited\n")
    gov.commit("Edit the policy note")
    reviews = [approve("erin-walsh", first)]
    verdict = judge(gov, reviews)
    assert rule(verdict, "high-risk").seats[0].reviewer == "erin-walsh"
    assert rule(verdict, "governance-change").stale == ("erin-walsh",)


def test_an_unknown_or_missing_commit_is_stale(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    for commit in ("ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091", None, "HEAD"):
        verdict = judge(gov, [approve("alice-chen", commit), approve("carol-diaz", head)])
        assert not verdict.approved
        assert rule(verdict, "joint-cmo-cio").stale == ("alice-chen",)


def test_without_dismiss_stale_an_old_approval_counts(proposal: tuple[GovRepo, str]) -> None:
    gov, _ = proposal
    gov.add_entry("canva", purpose="Design everything")
    second = gov.commit("Edit canva")
    text = (gov.path / "martechgate.yaml").read_text().replace("dismiss_stale: true", "dismiss_stale: false")
    assert judge(gov, [approve("alice-chen", None), approve("carol-diaz", second)], org_text=text).approved


# --- Which rules a change triggers -------------------------------------------------------------------


def test_rules_come_from_the_entry_data_spend_and_exceptions(gov: GovRepo) -> None:
    branch(gov)
    gov.add_entry(
        "hub",
        data=PII,
        contract={"annual_cost": 75000, "currency": "USD"},
        review={"risk_tier": "high"},
        exceptions=[WAIVER],
    )
    gov.commit("Propose hub")
    verdict = judge(gov, [])
    assert [r.name for r in verdict.rules] == [
        "joint-cmo-cio",
        "high-risk",
        "personal-data",
        "big-spend",
        "new-exception",
    ]
    assert rule(verdict, "new-exception").why == ("catalog/hub.yaml (added): its exceptions were added or changed",)
    # security is needed twice (high-risk and new-exception): two seats, each open to the whole group.
    assert rule(verdict, "high-risk").can_satisfy == {"security": ("erin-walsh", "ivan-novak", "jun-park")}
    assert rule(verdict, "new-exception").can_satisfy == {"security": ("erin-walsh", "ivan-novak", "jun-park")}


def test_exceptions_changed_compares_the_merge_base_with_the_head(gov: GovRepo) -> None:
    gov.add_entry("tool", exceptions=[WAIVER])
    gov.commit("Tool with a waiver")
    branch(gov)
    gov.add_entry("tool", exceptions=[WAIVER], purpose="Reworded purpose")
    gov.commit("Reword")
    assert "new-exception" not in [r.name for r in judge(gov, []).rules]
    gov.add_entry("tool", exceptions=[{**WAIVER, "expires": "2027-06-30"}])
    gov.commit("Extend the waiver")
    assert "new-exception" in [r.name for r in judge(gov, []).rules]


def test_a_deleted_entry_is_judged_on_its_base_version(gov: GovRepo) -> None:
    gov.add_entry("hub", data=PII, review={"risk_tier": "high"})
    gov.commit("Hub")
    branch(gov)
    gov.git("rm", "-q", "catalog/hub.yaml")
    gov.commit("Delete hub")
    verdict = judge(gov, [])
    assert [r.name for r in verdict.rules] == ["joint-cmo-cio", "high-risk", "personal-data"]
    assert rule(verdict, "high-risk").why[0].startswith("catalog/hub.yaml (deleted): risk tier high")


def test_an_unreadable_entry_triggers_every_entry_rule(gov: GovRepo) -> None:
    branch(gov)
    gov.write("catalog/broken.yaml", "id: broken\nname: [unclosed\n")
    gov.commit("Broken")
    verdict = judge(gov, [])
    assert [r.name for r in verdict.rules] == [
        "joint-cmo-cio",
        "high-risk",
        "personal-data",
        "big-spend",
        "new-exception",
    ]
    assert "assumed to hold" in rule(verdict, "high-risk").why[0]


def test_a_pull_request_cannot_weaken_the_rules_that_judge_it(gov: GovRepo) -> None:
    branch(gov)
    gov.add_entry("canva")
    text = (
        (gov.path / "martechgate.yaml").read_text().replace("require: {marketing: 1, it: 1}", "require: {marketing: 1}")
    )
    gov.write("martechgate.yaml", text)
    head = gov.commit("Propose canva and drop IT from the joint rule")
    changeset = compute(gov.path, "main", "pr")
    verdict = evaluate(load_organization(changeset.base), changeset, [approve("alice-chen", head)], "mallory")
    assert [r.name for r in verdict.rules] == ["joint-cmo-cio", "governance-change"]
    assert not verdict.approved
    assert rule(verdict, "governance-change").why == ("martechgate.yaml (changed) matches martechgate.yaml",)


def test_a_change_no_rule_covers_needs_no_approval(gov: GovRepo) -> None:
    branch(gov)
    gov.write("README.md", "hello\n")
    gov.commit("Docs")
    verdict = judge(gov, [])
    assert verdict.rules == () and verdict.approved


def test_a_renamed_entry_is_matched_on_both_paths(gov: GovRepo) -> None:
    text = (
        (ROOT / "martechgate.yaml")
        .read_text()
        .replace(
            "review:\n  rules:\n",
            "review:\n  rules:\n    - {name: old-name, when: {paths: [catalog/old.yaml]}, require: {finance: 1}}\n",
        )
    )
    gov.write("martechgate.yaml", text)
    gov.add_entry("old")
    gov.commit("Old")
    branch(gov)
    gov.git("mv", "catalog/old.yaml", "catalog/new.yaml")
    gov.commit("Rename")
    verdict = judge(gov, [])
    assert rule(verdict, "old-name").why == (
        "catalog/new.yaml (renamed from catalog/old.yaml) matches catalog/old.yaml",
    )
    assert rule(verdict, "old-name").files == ("catalog/new.yaml", "catalog/old.yaml")


def test_a_governance_repo_in_a_subfolder(tmp_path: Path) -> None:
    outer = GovRepo(tmp_path / "outer")
    (outer.path / "gov").mkdir()
    for name in ("martechgate.yaml", "policies", "catalog"):
        (outer.path / name).rename(outer.path / "gov" / name)
    outer.commit("Start")
    branch(outer)
    outer.write("gov/catalog/canva.yaml", "id: canva\n")
    first = outer.commit("Propose")
    outer.write("gov/catalog/canva.yaml", "id: canva\nname: Canva\n")
    second = outer.commit("Edit")
    changeset = compute(outer.path / "gov", "main", "pr")
    org = load_organization(changeset.base)
    verdict = evaluate(org, changeset, [approve("alice-chen", first), approve("carol-diaz", second)], "m")
    assert rule(verdict, "joint-cmo-cio").files == ("catalog/canva.yaml",)
    assert rule(verdict, "joint-cmo-cio").stale == ("alice-chen",)


# --- Reviews as GitHub lists them, and the stable JSON ------------------------------------------------


def test_githubs_documented_review_list_parses() -> None:
    payload = json.loads((FIXTURES / "github-pull-reviews.json").read_text())
    assert parse_reviews(payload, "reviews.json") == [
        Review("octocat", APPROVED, "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091", "2019-11-17T17:43:43Z")
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"reviews": []}, "is not a list of reviews"),
        (["x"], "review 0 is not an object"),
        ([{"user": {}, "state": "APPROVED"}], "has no user.login"),
        ([{"user": {"login": "a"}, "state": "LGTM"}], "has the state 'LGTM'"),
        ([{"user": {"login": "a"}, "state": "APPROVED", "commit_id": 5}], "commit_id that is not text"),
    ],
)
def test_malformed_review_lists_are_refused(payload: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_reviews(payload, "reviews.json")


def test_a_review_by_a_deleted_account_is_skipped() -> None:
    assert parse_reviews([{"user": None, "state": "APPROVED"}], "r") == []


def test_the_verdict_json_is_stable(proposal: tuple[GovRepo, str]) -> None:
    gov, head = proposal
    data = judge(gov, [approve("alice-chen", head)]).to_dict()
    assert list(data) == [
        "schema_version",
        "approved",
        "author",
        "base",
        "head",
        "settings",
        "rules",
        "reviewers",
        "rules_from",
    ]
    assert data["head"] == head and data["approved"] is False
    assert data["rules"][0] == {
        "name": "joint-cmo-cio",
        "why": ["catalog/canva.yaml (added) matches catalog/**"],
        "files": ["catalog/canva.yaml"],
        "required": {"marketing": 1, "it": 1},
        "satisfied": False,
        "seats": [{"group": "marketing", "reviewer": "alice-chen"}, {"group": "it", "reviewer": None}],
        "can_satisfy": {"it": ["carol-diaz", "dan-kowalski", "@acme/it-architecture"]},
        "blocked_by": [],
        "stale": [],
    }
    assert data["reviewers"] == [{"login": "alice-chen", "state": "APPROVED", "commit_id": head, "counted": True}]
    assert json.loads(json.dumps(data)) == data


def test_lowering_a_tools_data_still_needs_the_reviewers_it_needed_before(gov: GovRepo) -> None:
    """Removing contact-pii (and lowering the tier) must not skip privacy and security review."""
    gov.add_entry("forms", data=PII, review={"risk_tier": "high", "last_reviewed": "2026-06-01"})
    gov.commit("Approve forms")
    branch(gov)
    gov.add_entry("forms")  # no personal data, low risk
    gov.commit("Quietly drop the personal data")
    applied = {
        a.rule.name: a.why
        for a in rules_for_change(load_organization(WorkTree(gov.path)), compute(gov.path, "main", "pr"))
    }
    assert "personal-data" in applied and "high-risk" in applied
    assert applied["personal-data"][0].startswith("catalog/forms.yaml (changed): before the change:")


def test_unknown_data_categories_still_need_privacy_and_the_worst_case_tier() -> None:
    data = entry("imported", data={"classification": "confidential", "categories": ["unknown"]}, review=None)
    triggered = dict((rule.name, why) for rule, why in rules_for_entry(ORG, data))
    assert list(triggered) == ["joint-cmo-cio", "high-risk", "personal-data"]
    assert triggered["personal-data"].startswith("data categories unknown: may hold contact-pii")
    assert "assumed the worst" in triggered["high-risk"]
