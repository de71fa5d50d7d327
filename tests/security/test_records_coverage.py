"""verify covers every path a review rule names, not only the catalog: a direct push to `.github/**`
(the workflow that runs the gate), to the allowed signers, or to a path an organisation's own rule
governs, is a change without a record."""

from __future__ import annotations

from typing import Any

from martechgate.audit.history import Git
from martechgate.audit.records import SigningKey, verify
from tests.conftest import GovRepo
from tests.recording import adopt, kinds, verify_json


def test_a_direct_push_to_the_workflow_is_reported(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    gov.write(".github/workflows/martechgate.yml", "on: push\njobs: {}\n")  # the gate switched off
    pushed = gov.commit("ci: tidy", when="2026-05-02T10:00:00+00:00")
    code, report = verify_json(run_cli, gov, first)
    assert code == 1 and kinds(report) == {("unrecorded", pushed)}
    assert "changed .github/workflows/martechgate.yml with no approval record" in report["problems"][0]["message"]


def test_a_direct_push_to_the_allowed_signers_is_reported(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    gov.write(".martechgate/allowed_signers", "mallory ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBad\n")
    pushed = gov.commit("rotate key", when="2026-05-02T10:00:00+00:00")
    code, report = verify_json(run_cli, gov, first)
    assert code == 1 and kinds(report) == {("unrecorded", pushed)}


def test_a_path_an_organisations_own_rule_governs(gov: GovRepo, ci_key: SigningKey) -> None:
    """The paths come from the organisation file in force (at each change's parent), not a fixed list."""
    text = gov.path.joinpath("martechgate.yaml").read_text()
    gov.write(
        "martechgate.yaml",
        text.replace(
            "    - {name: governance-change,",
            '    - {name: contracts, when: {paths: ["contracts/**"]}, require: {finance: 1}}\n'
            "    - {name: governance-change,",
        ),
    )
    gov.commit("Contracts need finance", when="2026-03-01T10:00:00+00:00")
    first = adopt(gov, ci_key)
    gov.write("contracts/acme-msa.txt", "signed\n")
    pushed = gov.commit("Add the MSA", when="2026-05-02T10:00:00+00:00")
    gov.write("README.md", "not governed\n")
    gov.commit("Docs", when="2026-05-03T10:00:00+00:00")
    problems = verify(Git(gov.path), first_record=first.hash).problems
    assert [(p.kind, p.commit) for p in problems] == [("unrecorded", pushed)]
    assert "contracts/acme-msa.txt" in problems[0].message
