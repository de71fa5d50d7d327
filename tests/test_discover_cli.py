"""`martechgate discover` end to end: real subprocesses, the repo's own catalog, real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from martechgate.sources.yamlload import load_bytes
from tests.conftest import FIXTURES, ROOT, GovRepo

CARD = """Date,Merchant,Amount,Currency,Employee,Cost Center,MCC
2026-03-01,CANVA* 02837-2938,119.99,USD,ann@example.com,Brand,5817
2026-03-04,SQ *CALENDLY,12.00,USD,bob@example.com,Sales,7372
2026-04-04,SQ *CALENDLY,12.00,USD,cy@example.com,Sales,7372
2026-03-05,STARBUCKS 1234,6.50,USD,bob@example.com,Sales,5814
2026-03-06,DRIFT.COM,400.00,USD,cy@example.com,Demand Gen,7372
"""


def token_audit(*grants: tuple[str, str, str, list[str]]) -> dict[str, Any]:
    items = [
        {
            "kind": "admin#reports#activity",
            "id": {"time": "2026-05-01T10:00:00Z", "applicationName": "token"},
            "actor": {"email": user},
            "events": [
                {
                    "type": "auth",
                    "name": "authorize",
                    "parameters": [
                        {"name": "app_name", "value": app},
                        {"name": "client_id", "value": client},
                        {"name": "scope", "multiValue": scopes},
                    ],
                }
            ],
        }
        for user, app, client, scopes in grants
    ]
    return {"kind": "admin#reports#activities", "items": items}


@pytest.fixture
def exports(tmp_path: Path) -> dict[str, str]:
    card = tmp_path / "card.csv"
    card.write_text(CARD, encoding="utf-8")
    google = tmp_path / "tokens.json"
    google.write_text(
        json.dumps(
            token_audit(
                (
                    "ann@example.com",
                    "Zapier",
                    "99-z.apps.googleusercontent.com",
                    ["https://mail.google.com/", "https://www.googleapis.com/auth/drive", "openid"],
                ),
                ("bob@example.com", "Hootsuite", "7-h.apps.googleusercontent.com", ["openid"]),
            )
        )
    )
    return {
        "card": str(card),
        "google": str(google),
        "okta": str(FIXTURES / "okta-system-log-sso.json"),
        "entra": str(FIXTURES / "entra-signins.json"),
    }


def own_catalog_repo(tmp_path: Path) -> GovRepo:
    repo = GovRepo(tmp_path / "gov")
    shutil.rmtree(repo.path / "catalog")
    shutil.copytree(ROOT / "catalog", repo.path / "catalog")
    repo.commit("The project's own catalog")
    return repo


def rows_by_app(stdout: str) -> dict[str, dict[str, Any]]:
    return {row["app"]: row for row in json.loads(stdout)["rows"]}


def test_own_catalog_reports_unapproved_tools(run_cli: Any, exports: dict[str, str]) -> None:
    result = run_cli(
        "discover",
        str(ROOT),
        "--expenses",
        exports["card"],
        "--google",
        exports["google"],
        "--okta",
        exports["okta"],
        "--source",
        f"entra={exports['entra']}",
        "--format",
        "json",
    )
    assert result.returncode == 1, result.stderr
    rows = rows_by_app(result.stdout)
    # Canva (approved) and Hootsuite (approved) are in use and fine; Starbucks is not software (MCC 5814).
    assert set(rows) == {"Calendly", "Drift", "Zapier", "Workplace by Facebook", "Azure Portal"}
    drift = rows["Drift"]
    assert (
        drift["catalog"],
        drift["status"],
        drift["match"],
        drift["spend"],
        drift["alternative"],
        drift["alternative_reason"],
    ) == (
        "drift",
        "denied",
        ["name 'Drift' is the entry name 'Drift'"],
        ["400.00 USD"],
        "intercom",
        "the entry's alternative",
    )
    calendly = rows["Calendly"]
    assert (
        calendly["status"],
        calendly["users"],
        calendly["events"],
        calendly["spend"],
        calendly["first_seen"],
        calendly["last_seen"],
        calendly["departments"],
    ) == ("not in catalog", 2, 2, ["24.00 USD"], "2026-03-04", "2026-04-04", ["Sales"])
    assert rows["Zapier"]["broad_scopes"] == [
        "https://mail.google.com/ (full Gmail access)",
        "https://www.googleapis.com/auth/drive (all Google Drive files)",
    ]
    meta = json.loads(result.stdout)["meta"]
    assert meta["not approved"] == 5
    assert "1 expense merchants" in meta["left out"]


def test_all_lists_approved_tools_with_their_match(run_cli: Any, exports: dict[str, str]) -> None:
    result = run_cli(
        "discover", str(ROOT), "--expenses", exports["card"], "--google", exports["google"], "--all", "--format", "json"
    )
    rows = rows_by_app(result.stdout)
    assert (rows["Canva"]["catalog"], rows["Canva"]["status"], rows["Canva"]["match"]) == (
        "canva",
        "approved",
        ["name 'Canva' is the entry id 'canva'"],
    )
    assert rows["Hootsuite"]["status"] == "approved"


def test_nothing_unapproved_exits_0(run_cli: Any, tmp_path: Path) -> None:
    card = tmp_path / "card.csv"
    card.write_text("Date,Merchant,Amount\n2026-01-02,FIGMA,15\n2026-01-03,Canva Pty Ltd,9\n", encoding="utf-8")
    result = run_cli("discover", str(ROOT), "--expenses", str(card))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 rows)" in result.stdout
    assert "no merchant category codes" in result.stdout  # every merchant counted: said so


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_formats(run_cli: Any, exports: dict[str, str], fmt: str) -> None:
    result = run_cli("discover", str(ROOT), "--expenses", exports["card"], "--format", fmt)
    assert result.returncode == 1
    assert "Calendly" in result.stdout and "Traceback" not in result.stderr


def test_malformed_rows_are_shown_and_all_written_with_problems(run_cli: Any, tmp_path: Path) -> None:
    lines = ["Date,Merchant,Amount"] + [f"2026-01-{1 + i % 28:02d},Tool{i},abc" for i in range(25)]
    lines.append("2026-02-01,Figma,15")
    card = tmp_path / "card.csv"
    card.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    problems = tmp_path / "problems.csv"
    # wide: the summary names the file, and a long temporary path would wrap it at 80 columns
    result = run_cli(
        "discover", str(ROOT), "--expenses", str(card), "--problems", str(problems), env={"COLUMNS": "400"}
    )
    assert result.returncode == 0, result.stderr  # the one good row is an approved tool
    shown = [line for line in result.stderr.splitlines() if line.startswith("malformed:")]
    assert shown[0] == f"malformed: {card}: line 2: amount 'abc' is not a number"
    assert len(shown) == 21 and shown[-1] == f"malformed: 5 more records (all are in {problems})"
    written = problems.read_text(encoding="utf-8").splitlines()
    assert len(written) == 26 and written[-1] == f"{card},line 26,malformed,amount 'abc' is not a number"
    assert "26 records, 1 used, 25 malformed" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no export to read"),
        (("--source", "slack=x.json"), "unknown kind 'slack'"),
        (("--source", "okta"), "is not KIND=FILE"),
        (("--okta", "{missing}"), "cannot read"),
        (("--okta", "{not_json}"), "does not start with JSON"),
        (("--entra", "{google}"), "has no `value` list (top-level keys: `kind`, `items`)"),
        (("--expenses", "{card}", "--csv-map", "vendor=Merchant"), "unknown field 'vendor'"),
        (("--expenses", "{card}", "--csv-encoding", "klingon"), "not an encoding"),
        (("--expenses", "{card}", "--currency", "dollars"), "not a 3-letter"),
    ],
)
def test_cannot_run_exits_2_with_a_message(
    run_cli: Any, exports: dict[str, str], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    not_json = tmp_path / "page.html"
    not_json.write_text("<html>login</html>", encoding="utf-8")
    values = {**exports, "missing": str(tmp_path / "nope.json"), "not_json": str(not_json)}
    result = run_cli("discover", str(ROOT), *(arg.format(**values) for arg in args))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_no_catalog_folder_exits_2(run_cli: Any, exports: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("discover", str(tmp_path), "--okta", exports["okta"])
    assert result.returncode == 2 and "no catalog/ folder" in result.stderr


def test_write_proposals_drafts_entries_that_load_and_never_overwrites(
    run_cli: Any, tmp_path: Path, exports: dict[str, str]
) -> None:
    repo = own_catalog_repo(tmp_path)
    (repo.path / "catalog" / "calendly.yaml").write_text("# mine, hand-written\n", encoding="utf-8")
    args = (
        "discover",
        str(repo.path),
        "--expenses",
        exports["card"],
        "--google",
        exports["google"],
        "--okta",
        exports["okta"],
        "--write-proposals",
        "--today",
        "2026-11-23",
    )
    result = run_cli(*args)
    assert result.returncode == 1, result.stderr
    assert "proposal: catalog/zapier.yaml: Zapier: written, status proposed" in result.stderr
    assert "proposal: catalog/calendly.yaml: Calendly: the file exists; not overwritten" in result.stderr
    assert "proposal: catalog/drift.yaml: Drift: in the catalog already, status denied" in result.stderr
    assert "schema findings until their owners fill them in; that is expected" in result.stderr
    assert (repo.path / "catalog" / "calendly.yaml").read_text() == "# mine, hand-written\n"
    assert not [p for p in (repo.path / "catalog").iterdir() if p.name.startswith(".")]  # no temp files

    text = (repo.path / "catalog" / "zapier.yaml").read_text(encoding="utf-8")
    modeline = "# yaml-language-server: $schema=https://martechgate.dev/schema/entry-v1.json"
    assert text.splitlines()[0] == modeline
    loaded = load_bytes(text.encode())
    assert loaded.problems == []
    assert loaded.value["status"] == "proposed"
    assert loaded.value["oauth"]["scopes"] == [
        "https://mail.google.com/",
        "https://www.googleapis.com/auth/drive",
        "openid",
    ]
    assert loaded.value["x-aliases"] == ["99-z.apps.googleusercontent.com"]
    assert loaded.value["x-discovered"]["users"] == 1
    workplace = load_bytes((repo.path / "catalog" / "workplace-by-facebook.yaml").read_bytes()).value
    assert workplace["x-aliases"] == ["0oa1a35nndfI7w1yp1d8"]

    # `check` reads the drafts: schema findings for what the owner must fill in, no syntax errors.
    check = run_cli("check", str(repo.path), "--format", "json", "--today", "2026-11-23")
    findings = [f for f in json.loads(check.stdout)["findings"] if f["entry"] == "zapier"]
    assert {f["rule"] for f in findings} >= {"schema"}
    assert not {f["rule"] for f in findings} & {"yaml-syntax", "duplicate-key", "id-mismatch"}

    # The next run finds the drafts by their x-aliases, still not approved, and leaves them alone.
    again = run_cli(*args[:-2], "--format", "json")
    rows = rows_by_app(again.stdout)
    assert (rows["Zapier"]["catalog"], rows["Zapier"]["status"]) == ("zapier", "proposed")
    assert rows["Workplace by Facebook"]["match"] == ["x-aliases lists 0oa1a35nndfI7w1yp1d8"]
    assert "in the catalog already, status proposed" in again.stderr


def test_windows_1252_csv_is_read_and_said_so(run_cli: Any, tmp_path: Path) -> None:
    card = tmp_path / "card.csv"
    card.write_bytes("Date,Merchant,Amount\r\n2026-01-02,Caf\u00e9 Studio,15\r\n".encode("cp1252"))
    result = run_cli("discover", str(ROOT), "--expenses", str(card), "--format", "json")
    assert result.returncode == 1
    assert f"note: {card}: line 2: not UTF-8" in result.stderr
    assert [row["app"] for row in json.loads(result.stdout)["rows"]] == ["Caf\u00e9 Studio"]
    assert json.loads(result.stdout)["meta"][f"expenses {card}"] == "1 record, 1 used, 0 malformed, 1 note"
