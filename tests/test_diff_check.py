"""The diff-aware check (`check --base REF [--head REF]`) on real git repos with branches."""

from __future__ import annotations

import json
from typing import Any

from martechgate.check.rules import RULES
from martechgate.gate import diff_check as pullcheck
from tests.conftest import TODAY, GovRepo, dump, entry

PII_NO_SSO: dict[str, Any] = {
    "name": "Acme Forms",
    "vendor": {"name": "Acme Forms Ltd", "website": "https://forms.example.com", "country": "US"},
    "data": {
        "classification": "internal",
        "categories": ["contact-pii"],
        "subjects": ["prospects"],
        "residency": ["US"],
        "transfer_mechanism": "none",
        "retention_days": 365,
    },
    "security": {"sso": "none", "mfa": "enforced", "scim": True, "evidence": []},
    "review": {"risk_tier": "medium", "last_reviewed": "2026-06-01", "next_review": "2027-06-01"},
}


def _to(target: str) -> list[dict[str, Any]]:
    return [{"target": target, "direction": "outbound", "data": ["none"], "method": "native"}]


def _check(run_cli: Any, gov: GovRepo, *args: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("check", str(gov.path), "--today", TODAY.isoformat(), "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def _rules_by_file(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["file"], f["rule"]) for f in report["findings"]}


def test_only_the_changed_entry_is_reported(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva")
    gov.add_entry("legacy-forms", **{**PII_NO_SSO, "name": "Legacy"})  # fails on main already
    gov.commit("main: two tools")
    gov.git("checkout", "-q", "-b", "add-figma")
    gov.add_entry("figma", name="Figma", integrations=_to("canva"))
    gov.commit("Propose Figma")

    code, report, _ = _check(run_cli, gov, "--base", "main", "--head", "add-figma")
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["entries"] == 1
    # The full check still sees the old problem, so the scoping is what made the difference.
    full = run_cli("check", str(gov.path), "--today", TODAY.isoformat())
    assert full.returncode == 1 and "legacy-forms" in full.stdout


def test_a_failing_new_tool_is_reported_at_its_file_and_line(gov: GovRepo, run_cli: Any) -> None:
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("acme-forms", **PII_NO_SSO)
    gov.commit("Propose Acme Forms")
    code, report, _ = _check(run_cli, gov, "--base", "main", "--head", "pr")
    assert code == 1
    sso = [f for f in report["findings"] if f["rule"] == "pii-requires-sso"]
    assert len(sso) == 1 and sso[0]["file"] == "catalog/acme-forms.yaml" and sso[0]["path"] == "security.sso"
    assert sso[0]["line"] is not None and sso[0]["blocking"]


def test_deleting_the_policy_a_new_tool_fails_is_still_rejected(gov: GovRepo, run_cli: Any) -> None:
    """The required test: a pull request that adds a failing tool and deletes the rule it fails."""
    gov.git("checkout", "-q", "-b", "sneaky")
    gov.add_entry("acme-forms", **PII_NO_SSO)
    gov.git("rm", "-q", "policies/pii-requires-sso.yaml")
    gov.commit("Propose Acme Forms (and drop a policy in passing)")

    code, report, stderr = _check(run_cli, gov, "--base", "main", "--head", "sneaky")
    assert code == 1
    assert ("catalog/acme-forms.yaml", "pii-requires-sso") in _rules_by_file(report)
    assert "governance files (policies/pii-requires-sso.yaml)" in stderr
    assert "governance-change" in stderr and "on the base branch now" in stderr
    # The head itself, checked as a whole, has lost the policy: the base's rules made the difference.
    head_only = run_cli("check", str(gov.path), "--today", TODAY.isoformat(), "--format", "json")
    assert "pii-requires-sso" not in {f["rule"] for f in json.loads(head_only.stdout)["findings"]}


def test_weakening_a_policy_in_the_working_tree_does_not_help(gov: GovRepo, run_cli: Any) -> None:
    gov.git("checkout", "-q", "-b", "weaker")
    gov.add_entry("acme-forms", **PII_NO_SSO)  # untracked, like a marketer's uncommitted work
    policy = gov.path / "policies" / "pii-requires-sso.yaml"
    weakened = policy.read_text().replace("enforcement: soft", "enforcement: advisory")
    assert weakened != policy.read_text()
    policy.write_text(weakened)
    gov.write(
        "martechgate.yaml",
        (gov.path / "martechgate.yaml").read_text().replace("{marketing: 1, it: 1}", "{marketing: 1}"),
    )
    code, report, stderr = _check(run_cli, gov, "--base", "main")
    assert code == 1
    sso = [f for f in report["findings"] if f["rule"] == "pii-requires-sso"]
    assert sso and sso[0]["enforcement"] == "soft" and sso[0]["blocking"]
    assert "martechgate.yaml" in stderr and "policies/pii-requires-sso.yaml" in stderr


def test_a_deleted_entry_is_a_finding_and_breaks_who_integrates_with_it(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva")
    gov.add_entry("figma", name="Figma", integrations=_to("canva"))
    gov.add_entry("miro", name="Miro", vendor={"name": "Miro", "website": "https://miro.example", "country": "US"})
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "drop-canva")
    gov.git("rm", "-q", "catalog/canva.yaml")
    gov.commit("Drop Canva")
    code, report, stderr = _check(run_cli, gov, "--base", "main", "--head", "drop-canva")
    assert code == 1
    assert _rules_by_file(report) == {
        ("catalog/canva.yaml", "entry-deleted"),
        ("catalog/figma.yaml", "unknown-reference"),
    }
    deleted = next(f for f in report["findings"] if f["rule"] == "entry-deleted")
    assert deleted["entry"] == "canva" and deleted["blocking"] and "status: retired" in deleted["remediation"]
    assert stderr == ""  # no governance files changed, no note


def test_a_rename_is_not_a_deletion_but_a_changed_id_breaks_references(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva", name="Canva")
    gov.add_entry("figma", name="Figma", integrations=_to("canva"))
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "rename")
    gov.git("mv", "catalog/canva.yaml", "catalog/canva-pro.yaml")
    gov.add_entry("canva-pro", name="Canva")
    gov.commit("Canva is now Canva Pro")
    code, report, _ = _check(run_cli, gov, "--base", "main", "--head", "rename")
    assert code == 1
    assert _rules_by_file(report) == {("catalog/figma.yaml", "unknown-reference")}


def test_replacing_one_tool_by_a_lookalike_is_a_deletion(gov: GovRepo) -> None:
    """git calls a delete-and-add of two similar files a rename; a different tool is not a rename."""
    gov.add_entry("canva", name="Canva", vendor={"name": "Canva", "website": "https://canva.example", "country": "AU"})
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "swap")
    gov.git("rm", "-q", "catalog/canva.yaml")
    gov.add_entry("figma", name="Figma", vendor={"name": "Figma", "website": "https://figma.example", "country": "US"})
    gov.commit("Swap")
    result = pullcheck.check_change(gov.path, "main", "swap", TODAY)
    assert {(f.file, f.rule) for f in result.report.findings} == {("catalog/canva.yaml", "entry-deleted")}
    assert result.change is not None and result.change.changed_files == ("catalog/figma.yaml",)


def test_a_duplicate_id_caused_by_the_change_is_reported(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("zendesk", name="Zendesk")
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "dup")
    gov.write("catalog/aaa-zendesk.yaml", dump(entry("zendesk", name="Zendesk again")))
    gov.commit("A second Zendesk")
    code, report, _ = _check(run_cli, gov, "--base", "main", "--head", "dup")
    assert code == 1
    rules = _rules_by_file(report)
    assert ("catalog/aaa-zendesk.yaml", "id-mismatch") in rules
    # The duplicate lands on whichever file sorts second; it is reported either way.
    assert ("catalog/zendesk.yaml", "duplicate-id") in rules


def test_removing_a_data_category_breaks_a_tool_that_sends_it(gov: GovRepo) -> None:
    pii = {**PII_NO_SSO["data"], "classification": "internal"}
    gov.add_entry(
        "crm",
        name="CRM",
        data=pii,
        security={"sso": "saml", "mfa": "enforced", "scim": True, "evidence": []},
        review={"risk_tier": "medium", "last_reviewed": "2026-06-01", "next_review": "2027-06-01"},
    )
    gov.add_entry(
        "forms",
        name="Forms",
        data=pii,
        security={"sso": "saml", "mfa": "enforced", "scim": True, "evidence": []},
        integrations=[{"target": "crm", "direction": "outbound", "data": ["contact-pii"], "method": "native"}],
        review={"risk_tier": "medium", "last_reviewed": "2026-06-01", "next_review": "2027-06-01"},
    )
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "narrow")
    gov.add_entry("crm", name="CRM")  # no personal data any more
    gov.commit("CRM holds no personal data")
    result = pullcheck.check_change(gov.path, "main", "narrow", TODAY)
    assert ("catalog/forms.yaml", "data-flow-clearance") in {(f.file, f.rule) for f in result.report.findings}


def test_every_builtin_rule_is_classified_for_the_fast_path() -> None:
    """A rule in neither list makes every PR check load the whole catalog: classify new rules."""
    assert all(rule.SCOPE == "entry" or rule.ID in pullcheck.PARTIAL_CATALOG_RULES for rule in RULES.values())


def test_unknown_revision_and_head_without_base_exit_2(gov: GovRepo, run_cli: Any) -> None:
    bad = run_cli("check", str(gov.path), "--base", "no-such-branch")
    assert bad.returncode == 2 and "no-such-branch" in bad.stderr and "Traceback" not in bad.stderr
    lone = run_cli("check", str(gov.path), "--head", "main")
    assert lone.returncode == 2 and "--base" in lone.stderr


def test_a_base_without_an_organisation_file_exits_2(tmp_path: Any, run_cli: Any) -> None:
    repo = GovRepo(tmp_path / "fresh")
    (repo.path / "martechgate.yaml").rename(tmp_path / "later.yaml")
    repo.commit("policies first, no organisation file yet")
    (tmp_path / "later.yaml").rename(repo.path / "martechgate.yaml")
    result = run_cli("check", str(repo.path), "--base", "main")
    assert result.returncode == 2 and "martechgate.yaml" in result.stderr


def test_the_project_catalog_passes_against_its_own_history(run_cli: Any) -> None:
    """Without changes, the diff-aware check of HEAD against itself reports nothing."""
    from tests.conftest import ROOT

    result = run_cli("check", str(ROOT), "--base", "HEAD", "--head", "HEAD", "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_governance_repo_in_a_subfolder(tmp_path: Any) -> None:
    outer = GovRepo(tmp_path / "outer")
    inner = outer.path / "governance"
    inner.mkdir()
    for name in ("martechgate.yaml", "policies", "catalog"):
        (outer.path / name).rename(inner / name)
    outer.write("governance/catalog/canva.yaml", dump(entry("canva", name="Canva")))
    figma = entry("figma", name="Figma", integrations=_to("canva"))
    outer.write("governance/catalog/figma.yaml", dump(figma))
    outer.commit("main")
    outer.git("checkout", "-q", "-b", "pr")
    outer.git("rm", "-q", "governance/catalog/canva.yaml")
    outer.commit("drop canva")
    result = pullcheck.check_change(inner, "main", "pr", TODAY)
    assert {(f.file, f.rule) for f in result.report.findings} == {
        ("catalog/canva.yaml", "entry-deleted"),
        ("catalog/figma.yaml", "unknown-reference"),
    }


def test_the_partial_catalog_finds_what_the_whole_catalog_finds(gov: GovRepo, monkeypatch: Any) -> None:
    """The fast path (entries git grep finds) against the whole catalog, on a change with a deletion,
    a replacement, a duplicate id and a narrowed data category."""
    pii = {**PII_NO_SSO["data"]}
    safe = {"sso": "saml", "mfa": "enforced", "scim": True, "evidence": []}
    medium = {"risk_tier": "medium", "last_reviewed": "2026-06-01", "next_review": "2027-06-01"}
    gov.add_entry("crm", name="CRM", data=pii, security=safe, review=medium)
    gov.add_entry(
        "forms",
        name="Forms",
        data=pii,
        security=safe,
        review=medium,
        integrations=[
            {"target": "crm", "direction": "outbound", "data": ["contact-pii"], "method": "native"},
            *_to("canva"),
        ],
    )
    gov.add_entry("canva", name="Canva")
    gov.add_entry("legacy", name="Legacy", alternative="canva")
    for n in range(30):
        gov.add_entry(f"filler-{n:02d}", name=f"Filler {n}", integrations=_to("forms"))
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("crm", name="CRM")
    gov.git("rm", "-q", "catalog/canva.yaml")
    gov.write("catalog/zz-forms.yaml", dump(entry("forms", name="Forms two")))
    gov.add_entry("acme-forms", **PII_NO_SSO)
    gov.commit("PR")

    def findings() -> set[tuple[str | None, str, str | None]]:
        result = pullcheck.check_change(gov.path, "main", "pr", TODAY)
        return {(f.file, f.rule, f.path) for f in result.report.findings}

    fast = findings()
    monkeypatch.setattr(pullcheck, "MAX_SEARCHED_IDS", -1)
    assert findings() == fast
    assert {
        ("catalog/canva.yaml", "entry-deleted", None),
        ("catalog/forms.yaml", "data-flow-clearance", "integrations.0.data"),
        ("catalog/legacy.yaml", "unknown-reference", "alternative"),
        ("catalog/forms.yaml", "unknown-reference", "integrations.1.target"),
    } <= fast
    assert not any(file and file.startswith("catalog/filler-") for file, _, _ in fast)
