"""docs/ is the project's own statement of its contracts: its schemas are the code's, and every field is
documented."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from martechgate.check.schemas import SCHEMA_NAMES, load_schema
from martechgate.cli import EXIT_CLOSED_PIPE
from martechgate.errors import EXIT_BLOCKED, EXIT_CANNOT_RUN, EXIT_OK
from tests.conftest import ROOT

DOCS = ROOT / "docs"


def fields(schema: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Every field a schema names, dotted, with `[]` for the items of a list (`integrations[].target`)."""
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield path
        yield from fields(sub, path + ".")
        if isinstance(sub.get("items"), dict):
            yield from fields(sub["items"], path + "[].")


def documented(name: str) -> set[str]:
    """What the page names in `code` outside its examples (a field shown only in an example is not described)."""
    prose = re.sub(r"^```.*?^```", "", (DOCS / name).read_text(encoding="utf-8"), flags=re.M | re.S)
    return set(re.findall(r"`([^`]+)`", prose))


@pytest.mark.parametrize("kind", SCHEMA_NAMES)
def test_the_docs_schemas_are_the_codes(kind: str) -> None:
    copy = DOCS / "schema" / f"{kind}-v1.json"
    assert json.loads(copy.read_text(encoding="utf-8")) == load_schema(kind), (
        f"{copy.relative_to(ROOT)} differs from `martechgate schema --kind {kind}`: refresh it (docs/README.md)"
    )


def test_every_schema_in_the_docs_is_one_the_code_has() -> None:
    assert {path.name for path in (DOCS / "schema").iterdir()} == {f"{kind}-v1.json" for kind in SCHEMA_NAMES}


def test_every_field_of_the_entry_is_documented() -> None:
    missing = set(fields(load_schema("entry"))) - documented("entry.md")
    assert not missing, f"docs/entry.md does not describe {sorted(missing)}"


def test_every_key_of_the_organisation_file_is_documented() -> None:
    schema = load_schema("organization")
    review = schema["properties"]["review"]
    rule = review["properties"]["rules"]["items"]
    group = schema["properties"]["groups"]["additionalProperties"]
    names = set(schema["properties"])
    names |= {f"review.{key}" for key in review["properties"] if key != "rules"}
    names |= {f"review.rules[].{key}" for key in rule["properties"]}
    names |= {f"groups.<name>.{key}" for key in group["properties"]}
    names |= {path for path in fields(schema) if not path.startswith(("groups.", "review."))}
    conditions = set(rule["properties"]["when"]["properties"])
    text = documented("organisation.md")
    assert not (names | conditions) - text, sorted((names | conditions) - text)


def test_every_key_of_a_policy_and_of_the_report_is_documented() -> None:
    policy = load_schema("policy")
    missing = set(policy["properties"]) - {"examples"} - documented("policy.md")
    assert not missing and "examples.pass" in documented("policy.md")
    report = load_schema("report")
    names = {f"summary.{key}" for key in report["properties"]["summary"]["properties"]}
    names |= {f"findings[].{key}" for key in report["$defs"]["finding"]["properties"]}
    names |= {"schema_version"}
    text = documented("report.md") | {part for item in documented("report.md") for part in item.split(", ")}
    assert not names - text, sorted(names - text)


def test_the_exit_codes_documented_are_the_codes() -> None:
    text = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    for code in (EXIT_OK, EXIT_BLOCKED, EXIT_CANNOT_RUN):
        assert f"| `{code}` |" in text
    assert f"exits {EXIT_CLOSED_PIPE}" in text


def test_every_contract_is_listed_in_the_index() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        assert page.name == "README.md" or f"]({page.name})" in index, page.name
    for schema in (DOCS / "schema").iterdir():
        assert f"](schema/{schema.name})" in index, schema.name


def test_the_code_cites_only_the_projects_own_files() -> None:
    # The contracts live in docs/; a citation of a document outside the project leaves readers nowhere.
    cited = [path for path in (ROOT / "src").rglob("*.py") if "PRODUCT.md" in path.read_text(encoding="utf-8")]
    assert not cited
