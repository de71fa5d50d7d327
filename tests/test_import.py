"""martechgate import: messy inventories from CSV, XLSX, JSON and YAML -> entries, and the report."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from martechgate.check import engine
from martechgate.intake.importer import ImportReport, run_import
from martechgate.intake.mapping import MappingError, load_mapping
from martechgate.sources.repo import WorkTree
from martechgate.sources.yamlload import load_bytes
from tests.conftest import ROOT, TODAY, GovRepo

LONG_TITLE = "Acme Enterprise Omnichannel Customer Engagement Platform " * 6
COLUMNS = [
    "title",
    "description",
    "business_owner",
    "technical_owner",
    "data_classification",
    "integration_method",
    "scim",
    "dpa",
    "cost",
    "provisioner",
    "compliance",
    "tier",
    "hosting",
    "subprocessor",
]
# Every messy value real inventories hold: mixed spellings and case, several owners in one cell,
# @handles, teams and names instead of emails, TBD / N/A / ? / none, booleans as text, an over-long
# title, a duplicate title, Markdown in a description, an empty title.
ROWS = [
    ["HubSpot Marketing Hub", "**Email** nurture and [landing pages](https://www.hubspot.com)", "Jane Doe, @rpatel",
     "raj.patel@example.com", "Red", "SAML", "Yes", "TRUE", "$48,000", "IT Service Desk", "SOX, GDPR", "Tier 1",
     "SaaS", "yes"],
    ["HubSpot Marketing Hub", "Duplicate row", "Marketing Ops", "it@example.com", "green", "swa", "no", "N/A", "TBD",
     "", "", "Tier 3", "saas", "No"],
    [LONG_TITLE, "- a list\n- of things", "Jane Doe", "N/A", "Yellow", "OIDC", "FALSE", "n/a", "0",
     "", "pci", "", "self hosted", ""],
    ["Canva", "Design", "Chris Nobody", "raj.patel@example.com", "TBD", "Okta thing", "maybe", "no", "abc",
     "HR", "", "tier 2", "", "?"],
    ["", "A record without a title", "Jane Doe", "", "", "", "", "", "", "", "", "", "", ""],
    ["Slack", "Chat", "@rpatel", "raj.patel@example.com", "?", "", "none", "Yes", "1200.50", "", "", "", "", ""],
]  # fmt: skip
MAPPING = """\
apiVersion: martechgate/import-v1
source: {format: FORMAT, records: RECORDS}
id: {from: title}
unknown: [TBD, "N/A", "n/a", "", none, unknown, "?"]
people: people.csv
fields:
  name: title
  vendor.name: title
  category: {value: design}
  purpose: {from: description, markdown: strip}
  owners.business: {from: business_owner, split: '\\s*(?:,|&| and | or )\\s*', people: true}
  owners.technical: {from: technical_owner, people: true}
  data.classification:
    from: data_classification
    values: {Red: restricted, Orange: confidential, Yellow: internal, Green: public}
  security.sso: {from: integration_method, values: {SAML: saml, "SWA": password-vault, OIDC: oidc}, default: unknown}
  security.scim: scim
  agreements.dpa: dpa
  agreements.subprocessor: subprocessor
  contract.annual_cost: cost
  compliance: compliance
  criticality: {from: tier, values: {Tier 1: critical, Tier 2: high, Tier 3: medium, Tier 4: low}}
  hosting: hosting
  provisioning.provisioner: provisioner
  status: {value: approved}
  x-source: {keep: [provisioner, tier]}
"""
PEOPLE = "key,email\nJane Doe,jane.doe@example.com\nrpatel,raj.patel@example.com\n"


def write_inventory(folder: Path, fmt: str) -> tuple[Path, Path]:
    """The same messy inventory in `fmt`, its mapping and people table beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    records = [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]
    inventory = folder / f"inventory.{fmt}"
    if fmt == "csv":
        with inventory.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(ROWS)
    elif fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Apps"
        sheet.append(COLUMNS)
        for row in ROWS:
            sheet.append([cell if cell != "" else None for cell in row])
        book.save(inventory)
    elif fmt == "json":
        inventory.write_text(json.dumps({"data": {"apps": records}}), encoding="utf-8")
    else:
        inventory.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    records_path = {"json": "data.apps"}.get(fmt, "")
    text = MAPPING.replace("FORMAT", fmt).replace("RECORDS", json.dumps(records_path))
    if fmt == "xlsx":
        text = text.replace('records: ""', "sheet: Apps")
    mapping = folder / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    (folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
    return inventory, mapping


def where(fmt: str, index: int) -> str:
    """How the report names the record at `index` of ROWS."""
    return {
        "csv": f"row {index + 2}",
        "xlsx": f"Apps row {index + 2}",
        "json": f"data.apps[{index}]",
        "yaml": f"records[{index}]",
    }[fmt]


def entry_of(repo: Path, entry_id: str) -> dict[str, Any]:
    value = load_bytes((repo / "catalog" / f"{entry_id}.yaml").read_bytes()).value
    assert isinstance(value, dict)
    return value


def do_import(gov: GovRepo, inventory: Path, mapping: Path, **options: bool) -> ImportReport:
    return run_import(gov.path, inventory, load_mapping(mapping), **options)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "yaml"])
def test_a_messy_inventory_imports_with_counts_and_fields(gov: GovRepo, tmp_path: Path, fmt: str) -> None:
    inventory, mapping = write_inventory(tmp_path / "in", fmt)
    report = do_import(gov, inventory, mapping)

    assert report.records == 6
    assert report.written == [
        "hubspot-marketing-hub",
        "hubspot-marketing-hub-2",
        "acme-enterprise-omnichannel-customer-engagement-platform-acme-e",
        "canva",
        "slack",
    ]
    [skipped] = report.skipped
    assert skipped.reason == "no id: title is empty or unknown"
    counts = {name: (c.mapped, c.unknown, c.unusable, c.unresolved) for name, c in report.fields.items()}
    assert counts["name"] == (5, 0, 0, 0)
    assert counts["owners.business"] == (3, 0, 0, 2)
    assert counts["owners.technical"] == (4, 1, 0, 0)
    assert counts["data.classification"] == (3, 2, 0, 0)
    assert counts["security.sso"] == (3, 1, 1, 0)
    assert counts["security.scim"] == (3, 1, 1, 0)
    assert counts["agreements.dpa"] == (3, 2, 0, 0)
    assert counts["contract.annual_cost"] == (3, 1, 1, 0)
    assert counts["hosting"] == (3, 2, 0, 0)
    assert report.fields["owners.business"].examples["unresolved"] == [
        f"{where(fmt, 1)}: 'Marketing Ops'",
        f"{where(fmt, 3)}: 'Chris Nobody'",
    ]
    sso_example = report.fields["security.sso"].examples["unusable"][0]
    assert "'Okta thing' (not one of: saml, oidc" in sso_example

    hubspot = entry_of(gov.path, "hubspot-marketing-hub")
    assert hubspot["name"] == "HubSpot Marketing Hub"
    assert hubspot["purpose"] == "Email nurture and landing pages"
    # several owners in one cell stay several: a list, each resolved through the people table
    assert hubspot["owners"] == {
        "business": ["jane.doe@example.com", "raj.patel@example.com"],
        "technical": "raj.patel@example.com",
    }
    assert hubspot["data"] == {"classification": "restricted", "categories": ["unknown"]}
    assert hubspot["security"] == {"sso": "saml", "scim": True}
    assert hubspot["agreements"] == {"dpa": True, "subprocessor": True}
    assert hubspot["contract"] == {"annual_cost": 48000}
    assert hubspot["compliance"] == ["sox", "gdpr"]
    assert (hubspot["criticality"], hubspot["hosting"]) == ("critical", "saas")
    assert hubspot["provisioning"] == {"provisioner": "IT Service Desk"}
    assert hubspot["x-source"] == {
        "provisioner": "IT Service Desk",
        "tier": "Tier 1",
    }  # both owners of the cell are in the entry: nothing of it is left over
    assert "review" not in hubspot  # the computed tier stands; nothing is invented

    duplicate = entry_of(gov.path, "hubspot-marketing-hub-2")
    assert duplicate["owners"]["business"] == "Marketing Ops"  # a team name kept as written
    assert duplicate["security"] == {"sso": "password-vault", "scim": False}
    assert duplicate["agreements"]["dpa"] == "unknown" and duplicate["contract"]["annual_cost"] == "unknown"
    assert duplicate["data"]["classification"] == "public"

    long = entry_of(gov.path, report.written[2])
    assert len(long["id"]) <= 63 and len(long["name"]) <= 200 and long["name"].endswith("…")
    assert long["x-source"]["title"] == LONG_TITLE.strip() or long["x-source"]["title"] == LONG_TITLE
    assert long["purpose"] == "a list of things" and long["hosting"] == "self-hosted"
    assert long["compliance"] == ["pci"] and long["contract"]["annual_cost"] == 0

    canva = entry_of(gov.path, "canva")
    assert canva["security"] == {"sso": "unknown", "scim": "unknown"}  # unusable: the default, else unknown
    assert canva["x-source"]["integration_method"] == "Okta thing" and canva["x-source"]["cost"] == "abc"
    assert canva["owners"]["business"] == "Chris Nobody" and canva["agreements"]["dpa"] is False

    slack = entry_of(gov.path, "slack")
    assert slack["owners"]["business"] == "raj.patel@example.com"  # an @handle through the people table
    assert slack["contract"]["annual_cost"] == 1200.5 and slack["security"]["scim"] == "unknown"

    # check judges every imported entry without crashing; a missing tier is no finding
    result = engine.check(WorkTree(gov.path), today=TODAY)
    rules = {(f.entry, f.rule) for f in result.report.findings}
    assert not any(rule == "risk-tier-understated" for _, rule in rules)
    # a name not resolved to an email, handle or group is a soft finding that says how to resolve it;
    # an owner the inventory does not know at all is missing, a hard schema finding
    unresolved = {(f.entry, f.path, f.blocking) for f in result.report.findings if f.rule == "owner-unresolved"}
    assert unresolved == {("hubspot-marketing-hub-2", "owners.business", True), ("canva", "owners.business", True)}
    schema = {(f.entry, f.path) for f in result.report.findings if f.rule == "schema"}
    assert schema == {(report.written[2], "owners.technical")}
    # the inventory names rpatel in both roles of HubSpot: the separation of duties says so
    assert ("hubspot-marketing-hub", "owners-distinct") in rules
    assert ("canva", "unknown-safeguards-find-out") in rules
    assert not any(rule == "pii-requires-dpa" for _, rule in rules)


def test_reimport_changes_nothing_and_update_keeps_a_hand_edit(gov: GovRepo, tmp_path: Path) -> None:
    inventory, mapping = write_inventory(tmp_path / "in", "csv")
    do_import(gov, inventory, mapping)
    before = {p.name: p.read_bytes() for p in (gov.path / "catalog").iterdir()}

    again = do_import(gov, inventory, mapping)
    assert again.written == [] and again.updated == [] and len(again.unchanged) == 5 and again.kept == []
    assert {p.name: p.read_bytes() for p in (gov.path / "catalog").iterdir()} == before

    # a person fixes an owner by hand and adds a field the inventory does not have
    path = gov.path / "catalog" / "canva.yaml"
    text = path.read_text(encoding="utf-8").replace("business: Chris Nobody", "business: chris@example.com")
    path.write_text(text + "alternative: figma\n", encoding="utf-8")
    # the inventory changes a mapped value
    rows = inventory.read_text(encoding="utf-8").replace("Canva,Design,", "Canva,Design tool,")
    inventory.write_text(rows, encoding="utf-8")

    without = do_import(gov, inventory, mapping)
    assert [k.where for k in without.kept] == ["canva"] and "--update" in without.kept[0].reason
    assert path.read_text(encoding="utf-8") == text + "alternative: figma\n"  # left alone

    dry = do_import(gov, inventory, mapping, update=True, dry_run=True)
    assert dry.updated == ["canva"] and path.read_text(encoding="utf-8") == text + "alternative: figma\n"

    updated = do_import(gov, inventory, mapping, update=True)
    assert updated.updated == ["canva"] and updated.hand_edits == [("canva", "owners.business")]
    canva = entry_of(gov.path, "canva")
    assert canva["purpose"] == "Design tool"  # the mapped field follows the inventory
    assert canva["owners"]["business"] == "chris@example.com"  # the hand edit stays
    assert canva["alternative"] == "figma"  # an unmapped field stays

    final = do_import(gov, inventory, mapping, update=True)
    assert final.updated == [] and len(final.unchanged) == 5 and final.hand_edits == []


def test_an_existing_hand_written_entry_is_left_alone_then_updated_without_losing_what_it_knows(
    gov: GovRepo, tmp_path: Path
) -> None:
    inventory, mapping = write_inventory(tmp_path / "in", "csv")
    gov.add_entry("slack")  # written by hand before the import: full owners, known classification
    report = do_import(gov, inventory, mapping)
    assert [k.where for k in report.kept] == ["slack"]
    report = do_import(gov, inventory, mapping, update=True)
    slack = entry_of(gov.path, "slack")
    assert slack["data"]["classification"] == "internal"  # the inventory's "?" does not erase it
    assert slack["purpose"] == "Chat" and slack["security"]["scim"] is True


def test_the_command_line_prints_the_report_and_dry_run_writes_nothing(
    gov: GovRepo, tmp_path: Path, run_cli: Any
) -> None:
    inventory, mapping = write_inventory(tmp_path / "in", "csv")
    result = run_cli("import", str(inventory), "--mapping", str(mapping), "--into", str(gov.path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Dry run (nothing written): 6 records read" in result.stdout
    assert "written 5, updated 0, unchanged 0, left alone 0, records skipped 1" in result.stdout
    assert "row 6: no id: title is empty or unknown" in result.stdout
    assert "unusable: row 5: 'Okta thing'" in result.stdout
    assert not list((gov.path / "catalog").iterdir())
    result = run_cli("import", str(inventory), "--mapping", str(mapping), "--repo", str(gov.path), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["written"]) == 5 and report["fields"]["security.sso"]["unusable"] == 1


BAD_MAPPINGS = [
    ("apiVersion: martechgate/import-v2\nsource: {format: csv}\nid: {from: t}\nfields: {name: t}\n", 1, "import-v1"),
    ("apiVersion: martechgate/import-v1\nsource: {format: xls}\nid: {from: t}\nfields: {name: t}\n", 2, "csv"),
    (
        "apiVersion: martechgate/import-v1\nsource: {format: csv}\nid: {from: t}\nfields:\n  nmae: t\n",
        5,
        "no field 'nmae'",
    ),
    (
        "apiVersion: martechgate/import-v1\nsource: {format: csv}\nid: {from: t}\nfields:\n"
        "  owners.business: {from: o, split: '(['}\n",
        5,
        "split is not a regular expression",
    ),
    (
        "apiVersion: martechgate/import-v1\nsource: {format: csv}\nid: {from: t}\nfields:\n  name: {}\n",
        5,
        "exactly one",
    ),
    (
        "apiVersion: martechgate/import-v1\nsource: {format: csv}\nid: {from: t}\n"
        "people: nope.csv\nfields: {name: t}\n",
        4,
        "people",
    ),
    ("apiVersion: martechgate/import-v1\nsource: {format: csv\n", 2, ""),
    (
        "apiVersion: martechgate/import-v1\nsource: {format: csv}\nid: {from: t}\nfields:\n  id: t\n",
        5,
        "set by the import",
    ),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD_MAPPINGS)
def test_a_bad_mapping_is_a_located_error_with_exit_2(
    gov: GovRepo, tmp_path: Path, run_cli: Any, text: str, line: int, words: str
) -> None:
    mapping = tmp_path / "bad.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as raised:
        load_mapping(mapping)
    assert raised.value.file == str(mapping) and raised.value.line == line, raised.value
    assert words in str(raised.value)
    inventory = tmp_path / "inv.csv"
    inventory.write_text("t\nx\n", encoding="utf-8")
    result = run_cli("import", str(inventory), "--mapping", str(mapping), "--repo", str(gov.path))
    assert result.returncode == 2 and f"{mapping}:{line}:" in result.stderr and "Traceback" not in result.stderr


def test_a_broken_inventory_is_an_error_not_a_crash(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    _, mapping = write_inventory(tmp_path / "in", "xlsx")
    fake = tmp_path / "in" / "fake.xlsx"
    fake.write_bytes(b"not a zip file")
    result = run_cli("import", str(fake), "--mapping", str(mapping), "--repo", str(gov.path))
    assert result.returncode == 2 and "cannot be read as an XLSX workbook" in result.stderr
    _, mapping = write_inventory(tmp_path / "j", "json")
    bad = tmp_path / "j" / "bad.json"
    bad.write_text('{"data": {"apps": [', encoding="utf-8")
    result = run_cli("import", str(bad), "--mapping", str(mapping), "--repo", str(gov.path))
    assert result.returncode == 2 and "is not JSON" in result.stderr and "Traceback" not in result.stderr


def test_the_mapping_schema_is_published(run_cli: Any) -> None:
    result = run_cli("schema", "--kind", "mapping")
    assert result.returncode == 0 and json.loads(result.stdout)["properties"]["apiVersion"]["const"] == (
        "martechgate/import-v1"
    )


@pytest.mark.parametrize("example", sorted((ROOT / "examples" / "import").glob("*.yaml")))
def test_the_shipped_example_mappings_import_their_sample(gov: GovRepo, example: Path) -> None:
    mapping = load_mapping(example)
    [sample] = [p for p in example.parent.iterdir() if p.stem == example.stem and p.suffix != ".yaml"]
    report = run_import(gov.path, sample, mapping)
    assert report.written and not report.skipped
    result = engine.check(WorkTree(gov.path), today=TODAY)
    assert not [f for f in result.report.findings if f.rule in ("risk-tier-understated", "yaml-syntax")]
