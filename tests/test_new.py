"""`martechgate new`: the wizard as a person uses it (a real pseudo-terminal), the non-interactive mode
for scripts, overlap detection, and the safety of writing."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from martechgate.cli import main
from martechgate.errors import UsageError
from martechgate.intake import proposal
from martechgate.sources.yamlload import load_bytes
from tests.conftest import SRC, GovRepo, run_process

TODAY_ARGS = ("--today", "2026-11-23")

FULL_FLAGS = (
    "--name",
    "Acme Forms",
    "--vendor",
    "Acme Forms, Inc.",
    "--website",
    "acmeforms.example",
    "--country",
    "US",
    "--purpose",
    "Event registration forms",
    "--category",
    "survey",
    "--capabilities",
    "forms, registration",
    "--business-owner",
    "jane.doe@example.com",
    "--technical-owner",
    "raj.patel@example.com",
    "--classification",
    "confidential",
    "--data",
    "contact-pii",
    "--eu-subjects",
    "no",
    "--residency",
    "US",
    "--annual-cost",
    "12,000",
    "--currency",
    "usd",
    "--payment",
    "invoice",
    "--renewal",
    "2027-09-01",
    "--auto-renew",
    "yes",
    "--notice-days",
    "60",
)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["new", *args, *TODAY_ARGS], catch_exceptions=False)


def catalog_files(gov: GovRepo) -> list[str]:
    return sorted(os.listdir(gov.path / "catalog"))


# --- non-interactive ------------------------------------------------------------------------------


def test_flags_write_an_entry_with_modeline_status_and_computed_tier(gov: GovRepo) -> None:
    gov.add_entry(
        "salesforce-sales-cloud",
        name="Salesforce Sales Cloud",
        category="crm",
        data={"classification": "confidential", "categories": ["contact-pii"]},
    )
    result = invoke(str(gov.path), *FULL_FLAGS, "--integration", "salesforce-sales-cloud:outbound:contact-pii")
    assert result.exit_code == 0, result.output
    text = (gov.path / "catalog" / "acme-forms.yaml").read_text()
    assert text.splitlines()[0] == proposal.MODELINE
    data = load_bytes(text.encode()).value
    assert data["status"] == "proposed"
    assert data["id"] == "acme-forms"
    assert data["vendor"]["website"] == "https://acmeforms.example"
    assert data["contract"] == {
        "annual_cost": 12000,
        "currency": "USD",
        "payment": "invoice",
        "renewal": "2027-09-01",
        "auto_renew": True,
        "notice_days": 60,
    }
    assert data["review"] == {"risk_tier": "high"}  # confidential personal data
    assert data["integrations"] == [
        {"target": "salesforce-sales-cloud", "direction": "outbound", "data": ["contact-pii"]}
    ]
    # what is still missing, in plain words with what to do, and who reviews it
    assert "Still missing" in result.output
    assert "single sign-on" in result.output and "What to do:" in result.output
    # the organisation's review rules, matched by applicable.applicable_rules
    assert (
        "1 from marketing and 1 from it (rule joint-cmo-cio: catalog/acme-forms.yaml matches catalog/**)"
        in result.output
    )
    assert "1 from security (rule high-risk: risk tier high" in result.output
    assert "1 from privacy (rule personal-data: holds contact-pii)" in result.output
    assert "finance" not in result.output  # 12,000 a year is under the big-spend limit


def test_the_written_entry_passes_the_schema_in_a_full_check(gov: GovRepo, run_cli: Any) -> None:
    assert invoke(str(gov.path), *FULL_FLAGS).exit_code == 0
    checked = run_cli("check", str(gov.path), "--format", "json", *TODAY_ARGS)
    rules = {f["rule"] for f in json.loads(checked.stdout)["findings"]}
    assert rules and not rules & {"schema", "yaml-syntax", "id-mismatch", "risk-tier-understated", "unknown-reference"}


def test_all_problems_are_listed_at_once_and_nothing_is_written(gov: GovRepo) -> None:
    before = catalog_files(gov)
    result = invoke(
        str(gov.path),
        "--name",
        "Acme Forms",
        "--category",
        "surveys",
        "--annual-cost",
        "lots",
        "--business-owner",
        "jane.doe@example.com",
        "--technical-owner",
        "Jane.Doe@example.com",
        "--integration",
        "nowhere:outbound",
    )
    assert result.exit_code == 2
    out = result.output
    assert "--category: 'surveys' is not one of the choices (did you mean survey?)" in out
    assert "--annual-cost: 'lots' is not an amount" in out
    assert "--technical-owner: Jane.Doe@example.com is already the Marketing owner" in out
    assert "--integration: there is no tool 'nowhere' in the catalog" in out
    assert "purpose is missing" in out
    assert "Nothing was written" in out
    assert catalog_files(gov) == before


def test_answers_file_in_yaml_or_json_and_dry_run(gov: GovRepo, tmp_path: Path) -> None:
    answers = {
        "name": "Acme Video",
        "vendor": {"name": "Acme Video Ltd"},
        "purpose": "Product videos",
        "category": "video",
        "owners": {"business": "a@example.com", "technical": "b@example.com"},
        "data": {"classification": "public", "categories": ["none"]},
        "contract": {"annual_cost": 0, "payment": "free"},
    }
    yaml_file = tmp_path / "answers.yaml"
    yaml_file.write_text(yaml.safe_dump(answers))
    result = invoke(str(gov.path), "--from", str(yaml_file), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(proposal.MODELINE)
    assert "risk_tier: low" in result.stdout
    assert catalog_files(gov) == []  # dry run: nothing written
    json_file = tmp_path / "answers.json"
    json_file.write_text(json.dumps(answers))
    result = invoke(str(gov.path), "--from", str(json_file), "--id", "acme-video-2")
    assert result.exit_code == 0, result.output
    assert catalog_files(gov) == ["acme-video-2.yaml"]


def test_answers_file_problems_are_listed_with_field_names(gov: GovRepo, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X Tool\nstatus: approved\ncolour: blue\nowners: {business: nope}\n")
    result = invoke(str(gov.path), "--from", str(bad))
    assert result.exit_code == 2
    assert "a new tool starts as proposed" in result.output
    assert "unknown field 'colour'" in result.output
    assert "owners.business is 'nope', which is not an email address" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    result = invoke(str(gov.path), "--from", str(broken))
    assert result.exit_code == 2 and "must be valid YAML or JSON" in result.output
    assert catalog_files(gov) == []


def test_an_existing_entry_is_never_overwritten(gov: GovRepo) -> None:
    gov.add_entry("acme-forms")
    original = (gov.path / "catalog" / "acme-forms.yaml").read_bytes()
    result = invoke(str(gov.path), *FULL_FLAGS)
    assert result.exit_code == 2
    assert "already has a tool with the id 'acme-forms'" in result.output
    assert (gov.path / "catalog" / "acme-forms.yaml").read_bytes() == original


def test_write_new_refuses_a_file_that_exists_and_leaves_no_temporary(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "x-tool.yml").write_text("id: x-tool\n")
    with pytest.raises(UsageError, match="already exists"):
        proposal.write_new(tmp_path, "x-tool", "id: x-tool\n")
    written = proposal.write_new(tmp_path, "y-tool", "id: y-tool\n")
    assert written.read_text() == "id: y-tool\n"
    assert sorted(os.listdir(tmp_path / "catalog")) == ["x-tool.yml", "y-tool.yaml"]


def test_text_that_yaml_would_read_as_another_type_is_quoted() -> None:
    entry = {"name": "1e3", "vendor": {"country": "NO"}, "purpose": "true", "capabilities": ["null", "on"]}
    text = proposal.render(entry, proposal.date(2026, 11, 23))
    assert load_bytes(text.encode()).value == entry


# --- overlap --------------------------------------------------------------------------------------


def test_overlap_same_vendor_fuzzy_and_approved_tool_for_the_same_job(gov: GovRepo) -> None:
    gov.add_entry(
        "mailchimp",
        name="Mailchimp",
        category="email",
        status="approved",
        capabilities=["email", "newsletters"],
        vendor={"name": "The Rocket Science Group LLC (Intuit Mailchimp)", "website": "https://mailchimp.com"},
    )
    gov.add_entry(
        "quickbooks",
        name="QuickBooks",
        category="analytics",
        capabilities=["reports"],
        vendor={"name": "Intuit Inc.", "website": "https://quickbooks.intuit.com"},
    )
    args = (
        "--name",
        "Letterbox",
        "--purpose",
        "Newsletters",
        "--category",
        "email",
        "--capabilities",
        "newsletters, email",
        "--business-owner",
        "a@example.com",
        "--technical-owner",
        "b@example.com",
        "--classification",
        "internal",
        "--data",
        "none",
        "--annual-cost",
        "0",
    )
    result = invoke(str(gov.path), *args, "--vendor", "Letterbox GmbH")
    assert result.exit_code == 2
    assert "Mailchimp is already approved for email (same capabilities: email, newsletters)" in result.output
    assert "--allow-overlap" in result.output
    assert catalog_files(gov) == ["mailchimp.yaml", "quickbooks.yaml"]

    result = invoke(str(gov.path), *args, "--vendor", "Intuit, Inc", "--allow-overlap")
    assert result.exit_code == 0, result.output
    # "Intuit, Inc" is Intuit Inc. and also the Intuit in Mailchimp's legal name
    assert "QuickBooks (quickbooks, approved) is from the same vendor, Intuit Inc." in result.output
    assert "Mailchimp (mailchimp, approved) is from the same vendor, The Rocket Science Group" in result.output


def test_no_overlap_for_a_denied_tool_or_another_category(gov: GovRepo) -> None:
    gov.add_entry(
        "drift",
        name="Drift",
        category="chat",
        status="denied",
        capabilities=["live-chat"],
        vendor={"name": "Salesloft"},
    )
    gov.add_entry(
        "canva", name="Canva", category="design", capabilities=["live-chat"], vendor={"name": "Canva Pty Ltd"}
    )
    found = proposal.overlaps(
        {"name": "Chatty", "vendor": {"name": "Chatty Co"}, "category": "chat", "capabilities": ["live-chat"]},
        {
            "drift": yaml.safe_load((gov.path / "catalog/drift.yaml").read_text()),
            "canva": yaml.safe_load((gov.path / "catalog/canva.yaml").read_text()),
        },
    )
    assert found == []


def test_same_product_name_is_an_overlap_whatever_the_vendor() -> None:
    found = proposal.overlaps(
        {"name": "Mail Chimp", "vendor": {"name": "Someone"}},
        {"mailchimp": {"name": "Mailchimp", "status": "restricted", "vendor": {"name": "Intuit"}}},
    )
    assert [o.sentence for o in found] == ["Mailchimp is already in the catalog (mailchimp, restricted)"]


# --- the wizard in a real terminal ----------------------------------------------------------------


def spawn(gov: GovRepo, *extra: str) -> pexpect.spawn:
    env = dict(os.environ, PYTHONPATH=str(SRC), TERM="dumb", COLUMNS="120")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "martechgate", "new", str(gov.path), *TODAY_ARGS, *extra],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
        # A runner started in the background (`pytest &`) ignores SIGINT, and a child inherits that;
        # the wizard must see Ctrl-C as a person's terminal delivers it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    return child


def answer(child: pexpect.spawn, prompt: str, text: str) -> None:
    child.expect_exact(prompt)
    child.sendline(text)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return child.exitstatus


@pytest.mark.slow
def test_wizard_in_a_terminal_with_wrong_answers_help_and_defaults(gov: GovRepo) -> None:
    gov.add_entry(
        "salesforce-sales-cloud",
        name="Salesforce Sales Cloud",
        category="crm",
        capabilities=["crm"],
        data={"classification": "confidential", "categories": ["contact-pii"]},
    )
    gov.commit("A CRM")
    child = spawn(gov)
    child.expect_exact("Type ? at any question for an explanation")
    answer(child, "What is the tool called?", "")
    child.expect_exact("This one is needed")
    answer(child, "What is the tool called?", "Acme Webinars")
    answer(child, "Short id for the catalog file [acme-webinars]", "")  # the suggested id
    answer(child, "Which company sells it? [Acme Webinars]", "Acme Events, Inc.")
    answer(child, "The vendor's website", "not a website")
    child.expect_exact("is not a web address")
    answer(child, "The vendor's website", "acme-events.example")
    answer(child, "Country where the vendor is based (two letters)", "usa")
    child.expect_exact("'USA' is not an ISO 3166-1 country code; write US")
    answer(child, "Country where the vendor is based (two letters)", "EU")  # two letters, but no country
    child.expect_exact("(the EU is not a country)")
    answer(child, "Country where the vendor is based (two letters)", "us")
    answer(child, "What will you use it for?", "Monthly customer webinars")
    child.expect_exact("1) marketing-automation")
    answer(child, "Which category is it in?", "?")
    child.expect_exact("martechgate.yaml")
    answer(child, "Which category is it in?", "webinars")
    child.expect_exact("did you mean webinar?")
    answer(child, "Which category is it in?", "webinar")
    answer(child, "What can it do?", "Webinars, Registration")
    answer(child, "Who owns it in marketing? (their email)", "jane.doe")
    child.expect_exact("is not an email address")
    answer(child, "Who owns it in marketing? (their email)", "jane.doe@example.com")
    answer(child, "Who owns it in IT?", "jane.doe@example.com")
    child.expect_exact("the IT owner must be a different person")
    answer(child, "Who owns it in IT?", "raj.patel@example.com")
    answer(child, "Which team or department uses it?", "")
    answer(child, "How sensitive is the data it will hold?", "?")
    child.expect_exact("contact lists, leads, deals")
    answer(child, "How sensitive is the data it will hold?", "3")  # by number: confidential
    answer(child, "Which kinds of data about people will it hold?", "none, contact-pii")
    child.expect_exact("type none alone")
    answer(child, "Which kinds of data about people will it hold?", "contact-pii")
    answer(child, "About whom?", "Customers, Prospects")
    answer(child, "Does it hold data about people in the EU or EEA? (y/n)", "maybe")
    child.expect_exact("answer yes or no")
    answer(child, "Does it hold data about people in the EU or EEA? (y/n)", "y")
    answer(child, "In which countries does the vendor store or process the data? [US]", "")
    answer(child, "Which legal safeguard covers sending EU data there?", "scc")
    answer(child, "How many days does it keep the data?", "730")
    answer(child, "single sign-on)?", "saml")
    answer(child, "(MFA)?", "enforced")
    answer(child, "(SCIM)? (y/n)", "")
    answer(child, "What does it cost per year?", "-5")
    child.expect_exact("an amount is zero or more, written in digits")
    answer(child, "What does it cost per year?", "$30,000")
    answer(child, "In which currency? [USD]", "")
    answer(child, "How many seats", "10")
    answer(child, "How will it be paid? [invoice]", "")
    answer(child, "When does the contract renew?", "2020-01-01")
    child.expect_exact("is not after today (2026-11-23)")
    answer(child, "When does the contract renew?", "2027-10-01")
    answer(child, "Does it renew automatically? (y/n)", "yes")
    answer(child, "How many days before renewal must we cancel?", "90")
    answer(child, "One-time cost to set it up?", "5000")
    answer(child, "Hours per month", "4")
    child.expect_exact("salesforce-sales-cloud")
    answer(child, "Connects to", "salesforce")
    child.expect_exact("did you mean salesforce-sales-cloud?")
    answer(child, "Connects to", "salesforce-sales-cloud")
    answer(child, "Which way does the data go?", "outbound")
    answer(child, "Which kinds of data go over it? [contact-pii]", "")
    answer(child, "How is it connected?", "native")
    answer(child, "Connects to", "")
    child.expect_exact("Wrote catalog/acme-webinars.yaml")
    child.expect_exact("It will need approval from:")
    assert finish(child) == 0
    data = load_bytes((gov.path / "catalog" / "acme-webinars.yaml").read_bytes()).value
    assert data["owners"] == {"business": "jane.doe@example.com", "technical": "raj.patel@example.com"}
    assert data["data"] == {
        "classification": "confidential",
        "categories": ["contact-pii"],
        "subjects": ["customers", "prospects"],
        "eu_subjects": True,
        "residency": ["US"],
        "transfer_mechanism": "scc",
        "retention_days": 730,
    }
    assert data["security"] == {"sso": "saml", "mfa": "enforced"}
    assert data["contract"]["annual_cost"] == 30000
    assert data["integrations"] == [
        {"target": "salesforce-sales-cloud", "direction": "outbound", "data": ["contact-pii"], "method": "native"}
    ]
    assert data["review"]["risk_tier"] == "high"


def test_ctrl_c_in_the_wizard_writes_nothing(gov: GovRepo) -> None:
    child = spawn(gov)
    answer(child, "What is the tool called?", "Half Done")
    answer(child, "Short id for the catalog file [half-done]", "")
    child.expect_exact("Which company sells it?")
    child.sendintr()
    child.expect_exact("Stopped; nothing was written.")
    assert finish(child) == 2
    assert catalog_files(gov) == []  # no entry, no temporary file


def test_overlap_is_named_and_declining_writes_nothing(gov: GovRepo) -> None:
    gov.add_entry(
        "mailchimp",
        name="Mailchimp",
        category="email",
        status="approved",
        capabilities=["email", "newsletters"],
        vendor={"name": "Intuit Inc."},
    )
    child = spawn(gov)
    answer(child, "What is the tool called?", "Newsletter Pro")
    answer(child, "Short id", "")
    answer(child, "Which company sells it?", "Newsy Ltd")
    answer(child, "The vendor's website", "")
    answer(child, "Country where", "")
    answer(child, "What will you use it for?", "Newsletters")
    answer(child, "Which category is it in?", "email")
    child.expect_exact("Already used in email: email, newsletters")
    answer(child, "What can it do?", "newsletters")
    child.expect_exact("Mailchimp is already approved for email (same capabilities: newsletters)")
    answer(child, "Continue with this proposal anyway? (y/n) [n]", "?")
    child.expect_exact("the reviewers will see the overlap and decide")
    answer(child, "Continue with this proposal anyway? (y/n) [n]", "")
    child.expect_exact("Nothing was written.")
    assert finish(child) == 0
    assert catalog_files(gov) == ["mailchimp.yaml"]


def test_end_of_input_midway_writes_nothing(gov: GovRepo) -> None:
    # A real process: what the end of its standard input does is the interpreter's (click 8.2's test
    # runner, in process, answered every later question with nothing, forever).
    result = run_process("new", str(gov.path), *TODAY_ARGS, input_text="Half Done\n\n")
    assert result.returncode == 2
    assert "The answers ended before the last question; nothing was written." in result.stderr
    assert "Traceback" not in result.stderr
    assert catalog_files(gov) == []


# --- whatever an answers file holds: a list of problems or an entry, never a crash ------------------

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "business", "categories", "x"]), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = [
    "name",
    "id",
    "vendor",
    "purpose",
    "category",
    "capabilities",
    "status",
    "owners",
    "data",
    "security",
    "contract",
    "integrations",
    "review",
    "exceptions",
    "oauth",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.dictionaries(st.sampled_from(FIELDS), JSONISH, max_size=8))
def test_any_answers_file_gives_problems_or_an_entry_never_a_crash(
    gov: GovRepo, tmp_path: Path, answers: dict[str, Any]
) -> None:
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers))
    result = invoke(
        str(gov.path),
        "--from",
        str(answers_file),
        "--website",
        "example.com",
        "--integration",
        "nowhere:outbound",
        "--dry-run",
    )
    assert result.exit_code == 2  # the integration names no catalog tool
    assert "unexpected internal error" not in result.output
    assert "--integration:" in result.output
    result = invoke(str(gov.path), "--from", str(answers_file), "--dry-run")
    assert "unexpected internal error" not in result.output
    assert result.exit_code == 2 or result.stdout.startswith(proposal.MODELINE)
