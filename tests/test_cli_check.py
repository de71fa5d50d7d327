"""The check-related commands through click's runner: output, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
from click.testing import CliRunner

from martechgate.check.schemas import load_schema
from martechgate.cli import main
from tests.conftest import ROOT, GovRepo

RUNNER = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def status_line(gov: GovRepo) -> int:
    return (gov.path / "catalog" / "canva.yaml").read_text().splitlines().index("status: aproved") + 1


def test_own_catalog_passes_with_advisory_findings() -> None:
    code, out, _ = invoke("check", str(ROOT), "--today", "2026-11-23", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["summary"]["passed"] is True
    assert report["summary"]["entries"] >= 20
    assert any(f["enforcement"] == "advisory" for f in report["findings"])
    assert any(f["waived_by"] for f in report["findings"])
    jsonschema_rs.validate(load_schema("report"), report)


def test_own_policy_pack_examples_pass() -> None:
    code, out, _ = invoke("test", str(ROOT), "--today", "2026-11-23")
    assert code == 0, out
    assert out.strip().endswith("0 failed")


def test_text_output_grouped_with_locations(gov: GovRepo) -> None:
    gov.add_entry("canva", status="aproved")
    line = status_line(gov)
    code, out, _ = invoke("check", str(gov.path), "--today", "2026-11-23")
    assert code == 1
    assert "catalog/canva.yaml\n" in out
    assert f"catalog/canva.yaml:{line}:9: error [schema]" in out
    assert "fix:" in out and out.strip().splitlines()[-1].startswith("failed: 1 entry checked, 1 blocking")
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_color_when_asked(gov: GovRepo) -> None:
    gov.add_entry("canva", status="aproved")
    _, out, _ = invoke("check", str(gov.path), "--color")
    assert "\x1b[" in out


def test_json_report_contract(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("canva", status="aproved")
    output = tmp_path / "report.json"
    _, out, _ = invoke("check", str(gov.path), "--format", "json", "--today", "2026-11-23", "-o", str(output))
    report = json.loads(out)
    assert json.loads(output.read_text()) == report
    jsonschema_rs.validate(load_schema("report"), report)
    [finding] = report["findings"]
    assert finding == {
        "rule": "schema",
        "entry": "canva",
        "file": "catalog/canva.yaml",
        "line": status_line(gov),
        "column": 9,
        "path": "status",
        "severity": "high",
        "enforcement": "hard",
        "blocking": True,
        "message": finding["message"],
        "remediation": finding["remediation"],
        "waived_by": None,
        "baselined": None,
    }
    assert report["summary"] == {
        "entries": 1,
        "findings": 1,
        "blocking": 1,
        "passed": False,
        "waived": 0,
        "baselined": 0,
    }


def test_no_catalog_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "martechgate.yaml").write_text((ROOT / "martechgate.yaml").read_text())
    code, _, err = invoke("check", str(tmp_path))
    assert code == 2 and "no catalog/ folder" in err and "martechgate init" in err


def test_no_organisation_file_is_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke("check", str(tmp_path))
    assert code == 2 and "no martechgate.yaml" in err


def test_broken_policy_is_exit_2_and_located(gov: GovRepo) -> None:
    gov.write("policies/pii-requires-sso.yaml", "id: pii-requires-sso\nseverity: [\n")
    code, _, err = invoke("check", str(gov.path))
    assert code == 2 and "policies/pii-requires-sso.yaml:3" in err


def test_bad_today_is_a_usage_error(gov: GovRepo) -> None:
    code, _, err = invoke("check", str(gov.path), "--today", "tomorrow")
    assert code == 2 and "YYYY-MM-DD" in err


def test_rules_and_explain() -> None:
    code, out, _ = invoke("rules", "--repo", str(ROOT))
    assert code == 0 and "yaml-syntax" in out and "pii-requires-sso" in out
    code, out, _ = invoke("explain", "duplicate-key")
    assert code == 0 and "Passes" in out and "Fails" in out
    code, out, _ = invoke("explain", "pii-requires-sso", "--repo", str(ROOT))
    assert code == 0 and "Fails:" in out and "What to do:" in out
    code, _, err = invoke("explain", "no-such-rule", "--repo", str(ROOT))
    assert code == 2 and "Known: approvals-possible, data-flow-clearance" in err


def test_schema_command_prints_each_schema() -> None:
    for kind in ("entry", "organization", "policy", "report"):
        code, out, _ = invoke("schema", "--kind", kind)
        assert code == 0
        jsonschema_rs.meta.validate(json.loads(out))


def test_init_starts_a_repo_that_passes(tmp_path: Path) -> None:
    target = tmp_path / "new-governance"
    code, out, _ = invoke("init", str(target))
    assert code == 0 and "martechgate.yaml" in out
    assert (target / ".github" / "workflows" / "martechgate.yml").exists()
    assert invoke("check", str(target), "--today", "2029-06-01")[0] == 0
    code, _, err = invoke("init", str(target))
    assert code == 2 and "nothing was written" in err


def test_init_policy_pack_is_the_repo_pack() -> None:
    starter = ROOT / "src" / "martechgate" / "templates" / "init"
    own = sorted(p.name for p in (ROOT / "policies").glob("*.yaml"))
    assert own == sorted(p.name for p in (starter / "policies").glob("*.yaml"))
    for name in own:
        assert (starter / "policies" / name).read_bytes() == (ROOT / "policies" / name).read_bytes(), name
    assert (starter / "martechgate.yaml").read_bytes() == (ROOT / "martechgate.yaml").read_bytes()


def test_version_and_module_entry(run_cli: object) -> None:
    result = run_cli("--version")  # type: ignore[operator]
    assert result.returncode == 0 and "0.1.0" in result.stdout
