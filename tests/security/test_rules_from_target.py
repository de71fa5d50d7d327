"""Stale rules: a pull request is judged by the rules and groups of its base branch as they are now
(its tip), not as they were when it branched off; what changed is still merge base to head."""

from __future__ import annotations

from martechgate.check.organisation import load_organization
from martechgate.sources.changes import compute
from tests.security.conftest import GovRepo, approve, branch, check, judge, rule_names

NO_VIDEO = """\
id: no-video-tools
title: No new video tools
description: Video tools are consolidated on the approved platform.
severity: high
enforcement: hard
match: {required: [category], properties: {category: {const: video}}}
require: {not: {}}
message: "{id} is a video tool"
remediation: Use the approved video platform.
examples:
  pass: [{id: ok, category: design}]
  fail: [{id: bad, category: video}]
"""


def cut_branch_then_change_main(gov: GovRepo, path: str, text: str) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)
    gov.add_entry("vidyard", category="video")
    gov.commit("Add vidyard")
    gov.git("checkout", "-q", "main")
    gov.write(path, text)
    gov.commit("Tighten the rules on main")
    gov.git("checkout", "-q", "pr")


def test_a_policy_added_on_main_after_the_branch_was_cut_judges_it(gov: GovRepo) -> None:
    cut_branch_then_change_main(gov, "policies/no-video-tools.yaml", NO_VIDEO)
    findings = check(gov)
    assert any(f.rule == "no-video-tools" and f.file == "catalog/vidyard.yaml" and f.blocking for f in findings)


def test_a_reviewer_removed_from_a_group_on_main_no_longer_fills_its_seat(gov: GovRepo) -> None:
    org = (gov.path / "martechgate.yaml").read_text()
    leaner = org.replace("members: [alice-chen, bob-okafor]", "members: [bob-okafor]")
    assert leaner != org
    cut_branch_then_change_main(gov, "martechgate.yaml", leaner)
    head = gov.git("rev-parse", "HEAD")
    verdict = judge(gov, [approve("alice-chen", head), approve("carol-diaz", head)])
    joint = next(rule for rule in verdict.rules if rule.name == "joint-cmo-cio")
    assert not verdict.approved and any(seat.group == "marketing" and seat.reviewer is None for seat in joint.seats)


def test_a_review_rule_added_on_main_applies(gov: GovRepo) -> None:
    org = (gov.path / "martechgate.yaml").read_text()
    stricter = org.replace(
        "    - {name: joint-cmo-cio,",
        '    - {name: video-board, when: {paths: ["catalog/**"]}, require: {finance: 1}}\n    - {name: joint-cmo-cio,',
    )
    cut_branch_then_change_main(gov, "martechgate.yaml", stricter)
    head = gov.git("rev-parse", "HEAD")
    verdict = judge(gov, [approve("alice-chen", head), approve("carol-diaz", head)])
    assert "video-board" in rule_names(verdict) and not verdict.approved
    assert verdict.to_dict()["rules_from"] == gov.git("rev-parse", "main")


def test_the_change_judged_is_still_merge_base_to_head(gov: GovRepo) -> None:
    """Main's own new files are not the pull request's: only vidyard is reported and reviewed."""
    cut_branch_then_change_main(gov, "policies/no-video-tools.yaml", NO_VIDEO)
    changeset = compute(gov.path, "main", "pr")
    assert changeset.touched() == {"catalog/vidyard.yaml"}
    assert changeset.rules.sha == gov.git("rev-parse", "main") != changeset.base.sha


def test_the_pull_requests_own_rule_changes_never_judge_it(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")
    gov.write("policies/no-video-tools.yaml", NO_VIDEO)
    gov.commit("No video on main")
    branch(gov)
    (gov.path / "policies" / "no-video-tools.yaml").unlink()
    gov.add_entry("vidyard", category="video")
    gov.commit("Drop the policy and add the tool in one go")
    assert any(f.rule == "no-video-tools" for f in check(gov))
    changeset = compute(gov.path, "main", "pr")
    assert load_organization(changeset.rules).review.rules  # the base's file, not the head's
