"""baseline.yaml: today's findings recorded with a due date; `check` knows them until due or changed.

Real governance repos in real git, the CLI in a real subprocess.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from martechgate.check import baseline as known
from martechgate.check.cache import FORMAT as cache_format
from martechgate.check.model import Entry, Finding
from martechgate.check.organisation import load_organization
from martechgate.check.vocabulary import load_schema
from martechgate.errors import ConfigError
from martechgate.gate.applicable import rules_for_change
from martechgate.sources.changes import compute
from martechgate.sources.yamlload import load_bytes
from tests.conftest import TODAY, GovRepo, entry

PII_NO_SSO: dict[str, Any] = {
    "data": {
        "classification": "confidential",
        "categories": ["contact-pii"],
        "subjects": ["customers"],
        "residency": ["US"],
        "transfer_mechanism": "none",
        "retention_days": 365,
    },
    "security": {"sso": "none", "mfa": "enforced", "scim": True, "evidence": []},
}
# Fails pii-requires-sso (soft) and risk-tier-understated (hard, built in): the declared tier is low.
# A hard policy (auto-renew-needs-notice) fails: hard rules can be baselined, never waived.
NO_NOTICE: dict[str, Any] = {"contract": {**entry("x")["contract"], "auto_renew": True, "notice_days": 0}}
DUE = "2027-01-31"


def check(run_cli: Any, gov: GovRepo, *args: str, today: str = TODAY.isoformat()) -> tuple[int, dict[str, Any], str]:
    result = run_cli("check", str(gov.path), "--format", "json", "--today", today, "--no-cache", *args)
    report = json.loads(result.stdout) if result.stdout else {}
    if report:
        jsonschema_rs.validate(load_schema("report"), report)
    return result.returncode, report, result.stderr


def baseline(run_cli: Any, gov: GovRepo, *args: str) -> Any:
    return run_cli("baseline", "--repo", str(gov.path), "--today", TODAY.isoformat(), *args)


def blocking(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["entry"], f["rule"]) for f in report["findings"] if f["blocking"]}


@pytest.fixture
def adopted(gov: GovRepo, run_cli: Any) -> GovRepo:
    """A repo adopted with two failing entries, baselined (due DUE) and committed on main."""
    gov.add_entry("acme-forms", **PII_NO_SSO)
    gov.add_entry("renewer", **NO_NOTICE)
    gov.commit("Import the inventory")
    result = baseline(run_cli, gov, "--due", DUE, "--owner", "cmo@example.com")
    assert result.returncode == 0, result.stderr
    assert "3 added" in result.stdout
    gov.commit("Baseline the findings known on adoption")
    return gov


def test_baseline_then_check_passes_and_reports_the_findings_as_known(adopted: GovRepo, run_cli: Any) -> None:
    code, report, _ = check(run_cli, adopted)
    assert code == 0
    assert report["summary"]["baselined"] == 3 and report["summary"]["blocking"] == 0
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert by_rule["auto-renew-needs-notice"]["enforcement"] == "hard"  # hard rules, known here
    assert by_rule["risk-tier-understated"]["enforcement"] == "hard"
    assert by_rule["pii-requires-sso"]["baselined"] == {"due": DUE, "owner": "cmo@example.com"}
    text = run_cli("check", str(adopted.path), "--today", TODAY.isoformat(), "--no-cache")
    assert text.returncode == 0
    assert "known [pii-requires-sso]" in text.stdout and f"known, due {DUE} (owner cmo@example.com)" in text.stdout

    written = yaml.safe_load((adopted.path / "baseline.yaml").read_text())
    assert [(i["entry"], i["rule"], i["path"]) for i in written["findings"]] == [
        ("acme-forms", "pii-requires-sso", "security.sso"),
        ("acme-forms", "risk-tier-understated", "review.risk_tier"),
        ("renewer", "auto-renew-needs-notice", "contract.notice_days"),
    ]


def test_rerunning_rewrites_nothing_and_never_postpones_a_due_date(adopted: GovRepo, run_cli: Any) -> None:
    path = adopted.path / "baseline.yaml"
    before = path.read_bytes(), path.stat().st_mtime_ns
    again = baseline(run_cli, adopted, "--due", "2027-06-30", "--owner", "someone@example.com")
    assert again.returncode == 0 and "up to date: 3 findings known" in again.stdout
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    # A fixed finding drops out; the one left keeps its due date and owner.
    adopted.add_entry("renewer")
    fixed = baseline(run_cli, adopted, "--due", "2027-06-30")
    assert "0 added" in fixed.stdout and "2 kept" in fixed.stdout and "1 fixed and dropped" in fixed.stdout
    items = yaml.safe_load(path.read_text())["findings"]
    assert [(i["rule"], i["due"], i["owner"]) for i in items] == [
        ("pii-requires-sso", DUE, "cmo@example.com"),
        ("risk-tier-understated", DUE, "cmo@example.com"),
    ]


def test_a_new_problem_blocks(adopted: GovRepo, run_cli: Any) -> None:
    adopted.add_entry("other-forms", **PII_NO_SSO)  # a new entry with the same kind of finding
    data = entry("acme-forms", **PII_NO_SSO)
    data["agreements"]["dpa"] = False  # a new finding on a baselined entry
    adopted.write("catalog/acme-forms.yaml", yaml.safe_dump(data))
    code, report, _ = check(run_cli, adopted)
    assert code == 1
    assert blocking(report) == {
        ("other-forms", "pii-requires-sso"),
        ("other-forms", "risk-tier-understated"),
        ("acme-forms", "pii-requires-dpa"),
    }
    assert report["summary"]["baselined"] == 3


def test_changing_the_offending_value_blocks(adopted: GovRepo, run_cli: Any) -> None:
    contract = dict(NO_NOTICE["contract"])
    del contract["notice_days"]  # still no notice period, but not the value that was baselined
    adopted.add_entry("renewer", contract=contract)
    code, report, _ = check(run_cli, adopted)
    assert code == 1
    [changed] = [f for f in report["findings"] if f["blocking"]]
    assert changed["rule"] == "auto-renew-needs-notice" and changed["baselined"] is None
    assert "the value has changed since" in changed["message"]


def test_a_passed_due_date_blocks(adopted: GovRepo, run_cli: Any) -> None:
    assert check(run_cli, adopted, today=DUE)[0] == 0  # due that day: still known
    code, report, _ = check(run_cli, adopted, today="2027-02-01")
    assert code == 1
    assert len(blocking(report)) == 3 and report["summary"]["baselined"] == 0
    assert all(f"it was due {DUE}" in f["message"] for f in report["findings"])


def test_a_pull_request_cannot_baseline_its_own_new_findings(adopted: GovRepo, run_cli: Any) -> None:
    adopted.git("checkout", "-q", "-b", "sneaky")
    adopted.add_entry("new-forms", **PII_NO_SSO)
    assert "2 added" in baseline(run_cli, adopted, "--owner", "cmo@example.com").stdout
    adopted.commit("Propose new-forms, and baseline its finding")
    # Its own baseline would let it through...
    assert check(run_cli, adopted)[0] == 0
    # ...but a pull request is judged by the base branch's baseline.
    code, report, stderr = check(run_cli, adopted, "--base", "main", "--head", "sneaky")
    assert code == 1
    assert blocking(report) == {("new-forms", "pii-requires-sso"), ("new-forms", "risk-tier-understated")}
    assert "governance files (baseline.yaml)" in stderr and "governance-change" in stderr
    # And merging the edit to baseline.yaml needs the governance reviewers.
    changeset = compute(adopted.path, "main", "sneaky")
    applied = {item.rule.name: item for item in rules_for_change(load_organization(changeset.base), changeset)}
    assert dict(applied["governance-change"].rule.require) == {"it": 1, "security": 1}


def test_a_baselined_entry_left_alone_by_a_pull_request_stays_known(adopted: GovRepo, run_cli: Any) -> None:
    adopted.git("checkout", "-q", "-b", "edit")
    data = entry("acme-forms", **PII_NO_SSO)
    data["purpose"] = "Lead-capture forms"  # the offending value is untouched
    adopted.write("catalog/acme-forms.yaml", yaml.safe_dump(data))
    adopted.commit("Reword the purpose")
    code, report, _ = check(run_cli, adopted, "--base", "main", "--head", "edit")
    assert code == 0 and report["summary"]["baselined"] == 2


def test_the_starter_organisation_sends_baseline_edits_to_governance_reviewers(tmp_path: Path, run_cli: Any) -> None:
    assert run_cli("init", str(tmp_path / "g")).returncode == 0
    rules = yaml.safe_load((tmp_path / "g" / "martechgate.yaml").read_text())["review"]["rules"]
    governance = next(rule for rule in rules if rule["name"] == "governance-change")
    assert "baseline.yaml" in governance["when"]["paths"]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("apiVersion: martechgate/baseline-v1\nfindings: [\n", "not valid YAML", 3),
        ("- just a list\n", "must be a mapping", 1),
        ("apiVersion: martechgate/baseline-v1\nfindings:\n  - {rule: r, entry: e}\n", "path is missing", 2),
        (
            "apiVersion: martechgate/baseline-v1\nfindings:\n  - {rule: r, entry: e, path: null, "
            f"fingerprint: 'sha256:{'0' * 64}', due: '2027-02-30', owner: a@example.com}}\n",
            "not a date",
            3,
        ),
    ],
)
def test_a_malformed_baseline_is_a_located_error(text: str, message: str, line: int) -> None:
    with pytest.raises(ConfigError) as raised:
        known.parse(text.encode())
    assert message in raised.value.message
    assert raised.value.file == "baseline.yaml" and raised.value.line == line


def test_a_repeated_item_is_refused() -> None:
    item = f"  - {{rule: r, entry: e, path: p, fingerprint: 'sha256:{'a' * 64}', due: '2027-01-01', owner: a@b.co}}\n"
    with pytest.raises(ConfigError) as raised:
        known.parse(("apiVersion: martechgate/baseline-v1\nfindings:\n" + item + item).encode())
    assert "repeats" in raised.value.message and raised.value.line == 4


def test_a_malformed_baseline_stops_check_and_baseline_and_is_never_overwritten(adopted: GovRepo, run_cli: Any) -> None:
    broken = "apiVersion: martechgate/baseline-v1\nfindings: {rule: x}\n"
    adopted.write("baseline.yaml", broken)
    code, _, stderr = check(run_cli, adopted)
    assert code == 2 and "baseline.yaml:2:" in stderr and "Traceback" not in stderr
    result = baseline(run_cli, adopted, "--owner", "cmo@example.com")
    assert result.returncode == 2 and "baseline.yaml:2:" in result.stderr
    assert (adopted.path / "baseline.yaml").read_text() == broken


def test_an_entry_without_an_email_owner_needs_owner_and_nothing_is_written(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("acme-forms", owners={"business": "Jane Doe", "technical": "raj.patel@example.com"}, **PII_NO_SSO)
    result = baseline(run_cli, gov)
    assert result.returncode == 2 and "--owner" in result.stderr
    assert not (gov.path / "baseline.yaml").exists()


def test_the_fingerprint_is_of_the_value_at_the_path() -> None:
    def finding(path: str | None) -> Finding:
        return Finding("r", "e", "catalog/e.yaml", 1, 1, path, "high", "soft", "m", "fix")

    def loaded(data: dict[str, Any]) -> Entry:
        return Entry("catalog/e.yaml", load_bytes(yaml.safe_dump(data).encode()), "blob")

    one = loaded({"a": {"b": [1, {"c": "x"}]}, "other": 1})
    same = loaded({"a": {"b": [1, {"c": "x"}]}, "other": 2})
    changed = loaded({"a": {"b": [1, {"c": "y"}]}, "other": 1})
    assert known.fingerprint(finding("a.b.1.c"), one) == known.fingerprint(finding("a.b.1.c"), same)
    assert known.fingerprint(finding("a.b.1.c"), one) != known.fingerprint(finding("a.b.1.c"), changed)
    assert known.fingerprint(finding(None), one) != known.fingerprint(finding(None), same)  # the whole entry


def test_due_lists_known_findings_as_their_due_date_nears(adopted: GovRepo, run_cli: Any) -> None:
    def items(within: str) -> list[dict[str, Any]]:
        result = run_cli(
            "due", "--repo", str(adopted.path), "--today", TODAY.isoformat(), "--within", within, "--format", "json"
        )
        assert result.returncode == 0, result.stderr
        return [item for item in json.loads(result.stdout)["items"] if item["kind"] == "baseline"]

    assert items("30d") == []  # due 2027-01-31, 69 days after TODAY
    listed = items("90d")
    assert len(listed) == 3 and {item["tool"] for item in listed} == {"acme-forms", "renewer"}
    assert all(item["date"] == DUE and item["owners"] == ["cmo@example.com"] for item in listed)
    assert all(item["file"] == "baseline.yaml" and "after that it blocks" in item["what"] for item in listed)
    assert len({item["key"] for item in listed}) == 3  # one issue per known finding with due --github


def test_the_cache_and_the_baseline_work_together(adopted: GovRepo, run_cli: Any, tmp_path: Path) -> None:
    """A warm run reads no unchanged entry, yet knows the baselined findings by the fingerprints the
    cache kept: its report is the uncached one, before and after an offending value changes."""
    cache = ["--cache-dir", str(tmp_path / "cache")]

    def cached(today: str = TODAY.isoformat()) -> dict[str, Any]:
        result = run_cli("check", str(adopted.path), "--format", "json", "--today", today, *cache)
        return json.loads(result.stdout)

    _, uncached, _ = check(run_cli, adopted)
    assert cached() == uncached  # cold: fills the cache
    warm = cached()
    assert warm == uncached and warm["summary"]["baselined"] == 3 and warm["summary"]["passed"]
    files = sorted((tmp_path / "cache").glob("*.json"))
    assert len(files) == 1 and f'"{cache_format}"'.encode() in files[0].read_bytes()
    assert b'"baseline":["' in files[0].read_bytes()  # parsed once, kept by its blob id
    # an edited baseline is a new blob: read again, never the kept rows of the old one
    path = adopted.path / known.BASELINE_FILE
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(DUE, "2026-11-01"), encoding="utf-8")
    overdue = cached()
    assert not overdue["summary"]["passed"] and overdue["summary"]["baselined"] == 0
    path.write_text(original, encoding="utf-8")
    contract = dict(NO_NOTICE["contract"])
    del contract["notice_days"]
    adopted.add_entry("renewer", contract=contract)
    _, changed_uncached, _ = check(run_cli, adopted)
    assert cached() == changed_uncached and not changed_uncached["summary"]["passed"]


def test_a_baseline_larger_than_an_entry_may_be_is_still_read(adopted: GovRepo, run_cli: Any) -> None:
    """A big inventory's baseline is megabytes (10,000 entries with six findings each: 7.5 MB); check
    refused anything over an entry's 1 MiB, so adopting a big catalog ended in exit 2."""
    current = known.parse((adopted.path / known.BASELINE_FILE).read_bytes())
    filler = tuple(
        known.Item(
            "owner-unresolved",
            f"tool-{n:05d}",
            "owners.business",
            "sha256:" + "0" * 64,
            current.items[0].due,
            "x@y.com",
        )
        for n in range(5600)
    )
    text = known.render(known.Baseline(current.items + filler))
    assert len(text.encode()) > 1024 * 1024
    adopted.write(known.BASELINE_FILE, text)
    code, report, stderr = check(run_cli, adopted)
    assert code == 0, stderr
    assert report["summary"]["baselined"] == 3
