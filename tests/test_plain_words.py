"""Schema errors in plain words: one pinned sentence per kind of problem, as the check and
`martechgate test` print them. No raw JSON Schema text, no Python spellings (True, None)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from martechgate.check import schemas
from martechgate.sources.yamlload import load_bytes
from tests.conftest import GovRepo

TODAY = date(2026, 11, 23)
HIGH_RISK_EVIDENCE = {
    "anyOf": [
        {
            "contains": {
                "required": ["type", "period_end"],
                "properties": {
                    "type": {"enum": ["soc2-type2", "iso27001"]},
                    "period_end": {"type": "string", "format": "date", "notOlderThanMonths": 12},
                },
            }
        },
        {
            "allOf": [
                {
                    "contains": {
                        "required": ["type", "period_end"],
                        "properties": {
                            "type": {"enum": ["soc2-type2", "iso27001"]},
                            "period_end": {"notOlderThanMonths": 15},
                        },
                    }
                },
                {"contains": {"required": ["type"], "properties": {"type": {"const": "bridge-letter"}}}},
            ]
        },
    ]
}

CASES: list[tuple[str, Any, Any, str]] = [
    ("required", {"required": ["purpose"]}, {}, "purpose is missing; add it"),
    (
        "additionalProperties",
        {"properties": {"purpose": {}}, "additionalProperties": False},
        {"purpse": 1},
        "unknown field 'purpse' in the file (did you mean 'purpose'?)",
    ),
    (
        "enum",
        {"properties": {"sso": {"enum": ["saml", "oidc", "none"]}}},
        {"sso": "SAML"},
        "sso is 'SAML'; it must be one of: saml, oidc, none",
    ),
    (
        "enum of one",
        {"properties": {"mfa": {"enum": ["enforced"]}}},
        {"mfa": "available"},
        "mfa is 'available'; it must be enforced",
    ),
    (
        "enum of booleans",
        {"properties": {"dpa": {"enum": [True, None]}}},
        {"dpa": "yes"},
        "dpa is 'yes'; it must be one of: true, null",
    ),
    ("const true", {"properties": {"dpa": {"const": True}}}, {"dpa": False}, "dpa is false; it must be true"),
    (
        "const false",
        {"properties": {"auto_renew": {"const": False}}},
        {"auto_renew": True},
        "auto_renew is true; it must be false",
    ),
    (
        "type",
        {"properties": {"seats": {"type": "integer"}}},
        {"seats": "ten"},
        "seats must be a whole number, not 'ten'",
    ),
    (
        "type, a quoted true",
        {"properties": {"scim": {"type": "boolean"}}},
        {"scim": "true"},
        "scim is 'true' in quotes, which makes it text; it must be true or false: remove the quotes",
    ),
    (
        "type, a quoted number",
        {"properties": {"annual_cost": {"type": "number"}}},
        {"annual_cost": "12000"},
        "annual_cost is '12000' in quotes, which makes it text; it must be a number: remove the quotes",
    ),
    (
        "type, yes for true",
        {"properties": {"eu_subjects": {"type": "boolean"}}},
        {"eu_subjects": "yes"},
        "eu_subjects is 'yes'; write true or false (yes and no are read as text)",
    ),
    (
        "format date",
        {"properties": {"renewal": {"format": "date"}}},
        {"renewal": "next June"},
        "renewal is 'next June', which is not a date written YYYY-MM-DD",
    ),
    (
        "format email",
        {"properties": {"owner": {"format": "email"}}},
        {"owner": "jane"},
        "owner is 'jane', which is not an email address",
    ),
    (
        "pattern id",
        {"properties": {"id": {"pattern": "^[a-z0-9][a-z0-9-]{1,62}$"}}},
        {"id": "My Tool"},
        "id is 'My Tool'; an id is 2 to 63 lower-case letters, digits and dashes, starting with a letter or digit",
    ),
    (
        "pattern country",
        {"properties": {"country": {"pattern": "^[A-Z]{2}$"}}},
        {"country": "USA"},
        "country is 'USA'; use a two-letter country code such as US, IE or DE",
    ),
    (
        "pattern currency",
        {"properties": {"currency": {"pattern": "^[A-Z]{3}$"}}},
        {"currency": "dollars"},
        "currency is 'dollars'; use a three-letter currency code such as USD, EUR or GBP",
    ),
    (
        "pattern capability",
        {"properties": {"capabilities": {"items": {"pattern": "^[a-z0-9][a-z0-9-]*$"}}}},
        {"capabilities": ["Landing Pages"]},
        "capabilities.0 is 'Landing Pages'; use lower-case words joined by dashes, like landing-pages",
    ),
    (
        "pattern web address",
        {"properties": {"url": {"pattern": "^https?://"}}},
        {"url": "www.x.com"},
        "url is 'www.x.com'; write a web address starting with https://",
    ),
    (
        "minItems 1",
        {"properties": {"categories": {"minItems": 1}}},
        {"categories": []},
        "categories is empty; list at least one",
    ),
    (
        "minItems 2",
        {"properties": {"residency": {"minItems": 2}}},
        {"residency": ["US"]},
        "residency lists 1 item; list at least 2",
    ),
    (
        "maxItems",
        {"properties": {"residency": {"maxItems": 1}}},
        {"residency": ["US", "IE"]},
        "residency lists 2 items; list at most 1",
    ),
    (
        "uniqueItems",
        {"properties": {"subjects": {"uniqueItems": True}}},
        {"subjects": ["a", "a"]},
        "subjects lists the same value twice; keep one",
    ),
    ("minimum 0", {"properties": {"seats": {"minimum": 0}}}, {"seats": -1}, "seats is -1; it must be at least 0"),
    (
        "minimum 1",
        {"properties": {"notice_days": {"minimum": 1}}},
        {"notice_days": 0},
        "notice_days is 0; it must be at least 1",
    ),
    (
        "exclusiveMinimum",
        {"properties": {"cost": {"exclusiveMinimum": 0}}},
        {"cost": 0},
        "cost is 0; it must be more than 0",
    ),
    (
        "maximum",
        {"properties": {"notice_days": {"maximum": 90}}},
        {"notice_days": 120},
        "notice_days is 120; it must be at most 90",
    ),
    (
        "exclusiveMaximum",
        {"properties": {"cost": {"exclusiveMaximum": 50000}}},
        {"cost": 50000},
        "cost is 50000; it must be less than 50000",
    ),
    (
        "multipleOf",
        {"properties": {"seats": {"multipleOf": 5}}},
        {"seats": 7},
        "seats is 7; it must be a multiple of 5",
    ),
    (
        "minLength 1",
        {"properties": {"purpose": {"minLength": 1}}},
        {"purpose": ""},
        "purpose is empty; write something",
    ),
    (
        "minLength 20",
        {"properties": {"purpose": {"minLength": 20}}},
        {"purpose": "email"},
        "purpose is too short; write at least 20 characters",
    ),
    (
        "maxLength",
        {"properties": {"name": {"maxLength": 3}}},
        {"name": "Acme"},
        "name is too long; shorten it to at most 3 characters",
    ),
    (
        "minProperties",
        {"properties": {"owners": {"minProperties": 1}}},
        {"owners": {}},
        "owners needs at least 1 field",
    ),
    (
        "maxProperties",
        {"properties": {"owners": {"maxProperties": 1}}},
        {"owners": {"a": 1, "b": 2}},
        "owners may have at most 1 field",
    ),
    (
        "not enum",
        {"properties": {"payment": {"not": {"enum": ["card", "expense"]}}}},
        {"payment": "card"},
        "payment is 'card'; it must not be card or expense",
    ),
    (
        "not const",
        {"properties": {"consent": {"not": {"const": "tenant"}}}},
        {"consent": "tenant"},
        "consent is 'tenant'; it must not be tenant",
    ),
    (
        "not, beyond words",
        {"properties": {"x": {"not": {"pattern": "a"}}}},
        {"x": "a"},
        "x is 'a', which is not allowed here",
    ),
    (
        "contains a value",
        {"properties": {"categories": {"contains": {"enum": ["contact-pii", "phi"]}}}},
        {"categories": ["none"]},
        "categories has no item that is contact-pii or phi",
    ),
    (
        "contains an item",
        {
            "properties": {
                "evidence": {"contains": {"properties": {"type": {"const": "pentest"}}, "required": ["type"]}}
            }
        },
        {"evidence": [{"type": "caiq"}]},
        "evidence has no item whose type is pentest",
    ),
    (
        "anyOf in words",
        {"properties": {"evidence": HIGH_RISK_EVIDENCE}},
        {"evidence": [{"type": "pentest"}]},
        "evidence meets none of the accepted ways, which are: it has an item whose type is soc2-type2 or "
        "iso27001 and whose period_end is a date within the last 12 months; or it has an item whose type is "
        "soc2-type2 or iso27001 and whose period_end is a date within the last 15 months and has an item "
        "whose type is bridge-letter",
    ),
    (
        "anyOf beyond words",
        {"properties": {"x": {"anyOf": [{"pattern": "^a"}, {"type": "integer"}]}}},
        {"x": "b"},
        "x meets none of the accepted ways: it is 'b'; it does not have the expected form (the "
        "pattern ^a); or it must be a whole number, not 'b'",
    ),
    (
        "oneOf none",
        {"properties": {"x": {"oneOf": [{"const": 1}, {"const": 2}]}}},
        {"x": 3},
        "x meets none of the accepted ways, which are: it is 1; or it is 2",
    ),
    (
        "oneOf several",
        {"properties": {"x": {"oneOf": [{"minimum": 1}, {"maximum": 5}]}}},
        {"x": 3},
        "x fits more than one of the accepted ways, where exactly one is allowed; keep only what one of them needs",
    ),
    ("false schema", {"properties": {"legacy": False}}, {"legacy": 1}, "legacy is not allowed here; remove it"),
    (
        "notOlderThanMonths",
        {"properties": {"last_reviewed": {"notOlderThanMonths": 12}}},
        {"last_reviewed": "2020-01-15"},
        "last_reviewed is 2020-01-15, more than 12 months ago; it must be on or after 2025-11-23",
    ),
    (
        "notOlderThanDays",
        {"properties": {"seen": {"notOlderThanDays": 30}}},
        {"seen": "2026-01-01"},
        "seen is 2026-01-01, more than 30 days ago; it must be on or after 2026-10-24",
    ),
    (
        "atLeastDaysAhead 0",
        {"properties": {"expires": {"atLeastDaysAhead": 0}}},
        {"expires": "2026-06-30"},
        "expires is 2026-06-30, which has passed (today is 2026-11-23)",
    ),
    (
        "atLeastDaysAhead 30",
        {"properties": {"expires": {"atLeastDaysAhead": 30}}},
        {"expires": "2026-12-01"},
        "expires is 2026-12-01; it must be on or after 2026-12-23 (30 days from today)",
    ),
    (
        "atMostDaysAhead",
        {"properties": {"expires": {"atMostDaysAhead": 365}}},
        {"expires": "2030-01-01"},
        "expires is 2030-01-01; it must be on or before 2027-11-23 (365 days from today)",
    ),
    (
        "cancellation deadline",
        {"properties": {"contract": {"cancellationDeadlineAtLeastDaysAhead": 120}}},
        {"contract": {"renewal": "2027-01-01", "notice_days": 30}},
        "contract has its last day to cancel (renewal minus notice days) less than 120 days from today "
        "(2026-11-23); cancel or renegotiate now",
    ),
]


@pytest.mark.parametrize(("kind", "schema", "instance", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_problem_in_plain_words(kind: str, schema: Any, instance: Any, expected: str) -> None:
    errors = list(schemas.validator(schema, TODAY).iter_errors(instance))
    assert errors, "the case must fail"
    message = schemas.describe(schemas.deepest(errors), schema.get("properties"), schema=schema).message
    assert message == expected
    for raw in ("True", "False", "None", "anyOf", "oneOf", "{", "valid under", "was expected"):
        assert raw not in message


def test_describe_without_the_root_schema_still_says_something_plain() -> None:
    schema = {"properties": {"categories": {"contains": {"enum": ["phi"]}}}}
    errors = list(schemas.validator(schema, TODAY).iter_errors({"categories": ["none"]}))
    assert schemas.describe(errors[0]).message == "categories has no item that fits what is expected"


def test_policy_examples_in_martechgate_test_are_in_plain_words(gov: GovRepo, run_cli: Any) -> None:
    gov.write(
        "policies/pii-requires-sso.yaml",
        (gov.path / "policies/pii-requires-sso.yaml")
        .read_text()
        .replace("security: {sso: saml}}", "security: {sso: none}}"),
    )
    result = run_cli("test", str(gov.path), "--today", "2026-11-23")
    out = result.stdout
    assert "agreements.ccpa_service_provider is false; it must be true" in out
    assert "contract.notice_days is 0; it must be at least 1" in out
    assert "contract.payment is 'card'; it must not be card or expense" in out
    assert "security.evidence meets none of the accepted ways, which are: it has an item whose type is" in out
    assert "security.evidence.0.expires is 2020-06-30, which has passed (today is 2026-11-23)" in out
    assert "should pass but fails: security.sso is 'none'; it must be one of: saml, oidc" in out
    assert result.returncode == 1


def test_a_catalog_entry_out_of_range_says_the_limit(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva", contract={"annual_cost": 100, "currency": "USD", "notice_days": -30})
    result = run_cli("check", str(gov.path), "--today", "2026-11-23")
    assert "contract.notice_days is -30; it must be at least 0" in result.stdout
    assert result.returncode == 1


YAML_CASES = [
    ('name: "Canva\n', "a quoted text is not closed: add the closing quote"),
    ("capabilities: [email, forms\n", "a list in [ ] is not closed or misses a comma"),
    ("vendor: {name: Acme\n", "a group in { } is not closed or misses a comma"),
    ("id: canva\n\tname: Canva\n", "a tab is used for indentation: indent with spaces"),
    ("id\nname: Canva\n", "a colon (:) is out of place"),
    ("name: Canva\npurpose\n", "a line has no colon: write it as key: value"),
    ("owners:\n  business: a@example.com\n technical: b@example.com\n", "the indentation is off"),
    ("owner: @jane\n", "a value cannot start with this character (such as @ or `): put the value in quotes"),
    ('name: "C:\\q"\n', "a backslash (\\) in double quotes starts an escape"),
]


@pytest.mark.parametrize(("text", "expected"), YAML_CASES, ids=[c[1][:30] for c in YAML_CASES])
def test_yaml_syntax_errors_say_what_to_change(text: str, expected: str) -> None:
    problems = load_bytes(text.encode()).problems
    assert problems and problems[0].rule == "yaml-syntax"
    assert problems[0].message.startswith(f"this is not valid YAML: {expected}")
    assert problems[0].message.endswith("]")  # the parser's own words kept, in brackets, last


# One document per kind of libyaml complaint: each must come out in plain words, never the parser's alone.
LIBYAML_COMPLAINTS = {
    "tab in indentation": "a:\n\tb: 1\n",
    "%YAML directive": "%YAML 1.1\na: 1\n",
    "duplicate directive": "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
    "bare %": "%\n",
    "bad %YAML version": "%YAML x\n---\n",
    "bad %TAG": "%TAG ! \n---\n",
    "undefined tag handle": "a: !x!y 1\n",
    "unclosed verbatim tag": "a: !<x\n",
    "block scalar indentation 0": "a: |0\n  x\n",
    "text after a block scalar indicator": "a: |x\n  b\n",
    "empty anchor": "a: &\n",
    "empty alias": "a: *\n",
    "document separator inside a list": "a: [1,\n---\n]\n",
    "bad unicode escape": 'a: "\\uZZZZ"\n',
    "stray closing brace": "a: }\n",
    "control character": "a: \x01\n",
    "text after a quoted value": "a: 'x' y\n",
    "empty keys in braces": "{: a, :}\n",
}


@pytest.mark.parametrize("text", LIBYAML_COMPLAINTS.values(), ids=LIBYAML_COMPLAINTS.keys())
def test_every_libyaml_complaint_in_plain_words(text: str) -> None:
    problems = load_bytes(text.encode()).problems
    assert problems and problems[0].rule == "yaml-syntax"
    message = problems[0].message
    assert message.startswith("this is not valid YAML: ")
    # Plain words first, then the parser's own in brackets: never the parser's words alone.
    assert message.endswith("]") and " [" in message, message
    assert problems[0].line is not None, message


def test_nesting_past_libyamls_own_limit_in_plain_words() -> None:
    # The libyaml bundled with PyYAML 6.0.4 stops at its own limit (1000) before our 64-level check sees
    # the events; older ones let our check speak. Either way the user reads the same plain words.
    problems = load_bytes(("a: " + "[" * 2000).encode()).problems
    assert problems and problems[0].rule == "yaml-syntax"
    assert "the file nests deeper than 64 levels; an entry needs a few" in problems[0].message
    assert problems[0].line is not None


BROKEN_REQUIRES = [
    ("{properties: {consent: {enum: user}}}", "require.properties.consent.enum must be a list, not 'user'"),
    (
        '{properties: {consent: {minLength: "5"}}}',
        "require.properties.consent.minLength is '5' in quotes, which makes it text; it must be a whole number: "
        "remove the quotes",
    ),
    (
        "{properties: {consent: {notOlderThanMonths: 1.5}}}",
        "require.properties.consent.notOlderThanMonths: notOlderThanMonths takes a whole number, not 1.5",
    ),
    (
        '{properties: {consent: {pattern: "(("}}}',
        "require.properties.consent.pattern is '((', which is not a valid pattern",
    ),
]


@pytest.mark.parametrize(("require", "expected"), BROKEN_REQUIRES, ids=[c[0] for c in BROKEN_REQUIRES])
def test_a_broken_policy_schema_is_described_at_its_key(
    gov: GovRepo, run_cli: Any, require: str, expected: str
) -> None:
    policy = gov.path / "policies" / "tenant-oauth-consent.yaml"
    lines = policy.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("require:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    lines[start:end] = [f"require: {require}"]
    policy.write_text("\n".join(lines) + "\n")
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2
    assert f"policies/tenant-oauth-consent.yaml:{start + 1}:" in result.stderr
    assert expected in result.stderr
    assert "Failed validating" not in result.stderr and "Traceback" not in result.stderr


def test_one_sentence_per_field_in_the_check(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva", vendor={"name": "Canva", "website": "canva.com"})  # fails pattern and format
    result = run_cli("check", str(gov.path), "--today", "2026-11-23", "--format", "json")
    messages = [f["message"] for f in json.loads(result.stdout)["findings"] if f["path"] == "vendor.website"]
    assert messages == ["vendor.website is 'canva.com'; write a web address starting with https://"]


def test_explain_says_in_words_which_entries_a_policy_judges_and_when_they_pass(gov: GovRepo, run_cli: Any) -> None:
    result = run_cli("explain", "pii-requires-sso", "--repo", str(gov.path))
    assert result.returncode == 0
    assert (
        "Applies to entries whose status is proposed, trial, approved, restricted or deprecated and whose "
        "data.categories has an item that is contact-pii, sensitive-pii, phi or employee and whose security.sso "
        "is not unknown."
    ) in result.stdout
    assert "They pass when its security.sso is saml, oidc or idp-other." in result.stdout
    result = run_cli("explain", "high-risk-security-evidence", "--repo", str(gov.path))
    assert (
        "They pass when its security.evidence is a list and either its security.evidence has an item whose "
        "type is soc2-type2 or iso27001 and whose period_end is a date within the last 12 months; or"
    ) in result.stdout
