"""Every surface that names the reviewers a change needs asks the one function that decides it
(`gate.applicable.applicable_rules`): `review`, `check --format markdown`, `new` and the site."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GovRepo, dump, entry

PII = {
    "classification": "confidential",
    "categories": ["contact-pii"],
    "subjects": ["prospects"],
    "residency": ["US"],
    "transfer_mechanism": "none",
    "retention_days": 365,
}


def _review_rules(run_cli: Any, gov: GovRepo, tmp_path: Path) -> set[str]:
    reviews = tmp_path / "reviews.json"
    reviews.write_text("[]")
    result = run_cli(
        "review", "--base", "main", "--head", "pr", "--reviews", str(reviews), "--author", "mallory",
        "--format", "json", str(gov.path),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    return {rule["name"] for rule in json.loads(result.stdout)["rules"]}


def _markdown_rules(run_cli: Any, gov: GovRepo, file: str) -> set[str]:
    result = run_cli("check", "--base", "main", "--head", "pr", "--format", "markdown", str(gov.path))
    assert result.returncode in (0, 1), result.stderr
    section = result.stdout.split(f"`{file}`", 1)[1].split("\n### ", 1)[0]
    needed = section.split("**Reviewers needed**", 1)[1].split("**Integrations**", 1)[0]
    return set(re.findall(r"^- \*\*([a-z0-9-]+)\*\*", needed, flags=re.MULTILINE))


@pytest.mark.slow
def test_dropping_personal_data_from_a_high_risk_tool_names_the_same_reviewers_everywhere(
    run_cli: Any, gov: GovRepo, tmp_path: Path
) -> None:
    gov.add_entry("forms", data=PII, review={"risk_tier": "high", "last_reviewed": "2026-06-01"})
    gov.commit("Approve forms")
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("forms")  # no personal data, low risk
    gov.commit("Quietly drop the personal data")
    expected = {"joint-cmo-cio", "high-risk", "personal-data"}
    assert _review_rules(run_cli, gov, tmp_path) == expected
    assert _markdown_rules(run_cli, gov, "catalog/forms.yaml") == expected


def _new_rules(run_cli: Any, gov: GovRepo, tmp_path: Path) -> set[str]:
    answers = tmp_path / "answers.yaml"
    answers.write_text(dump(entry("forms", status="proposed", data={**PII, "eu_subjects": False})))
    result = run_cli("new", str(gov.path), "--from", str(answers), "--today", "2026-07-01")
    assert result.returncode == 0, result.stderr
    needed = result.stdout.split("It will need approval from:", 1)[1]
    return set(re.findall(r"\(rule ([a-z0-9-]+):", needed))


def _site_rules(run_cli: Any, gov: GovRepo, tmp_path: Path) -> set[str]:
    out = tmp_path / "site"
    result = run_cli("site", str(out), str(gov.path), "--today", "2026-07-01")
    assert result.returncode == 0, result.stderr
    page = next(out.rglob("forms*.html")).read_text()
    needed = page.split("Reviewers a change to it needs</dt>", 1)[1].split("</dd>", 1)[0]
    return set(re.findall(r"([a-z0-9-]+): \d+ of", needed))


@pytest.mark.slow
def test_a_new_high_risk_tool_names_the_same_reviewers_everywhere(run_cli: Any, gov: GovRepo, tmp_path: Path) -> None:
    gov.git("checkout", "-q", "-b", "pr")
    from_new = _new_rules(run_cli, gov, tmp_path)
    gov.commit("Propose forms")
    expected = {"joint-cmo-cio", "high-risk", "personal-data"}
    assert from_new == expected
    assert _review_rules(run_cli, gov, tmp_path) == expected
    assert _markdown_rules(run_cli, gov, "catalog/forms.yaml") == expected
    assert _site_rules(run_cli, gov, tmp_path) == expected
