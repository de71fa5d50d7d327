"""Proposing a new tool: the questions `martechgate new` asks, the checks on each answer, overlap with
tools already in the catalog, and writing `catalog/<id>.yaml` safely.

Library only (no click): the wizard in cli/proposing.py asks these questions one by one, and the
non-interactive mode (`--from FILE`, flags) runs the same parsers and the same final validation, so
an answer means the same thing however it is given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from martechgate import atomic
from martechgate.check import engine, identity, schemas
from martechgate.check.catalog import Catalog
from martechgate.check.codes import country_problem, currency_problem
from martechgate.check.judge import entry_findings
from martechgate.check.model import Entry, Finding, Organization, get
from martechgate.check.money import Money
from martechgate.check.names import NameIndex, Spelling
from martechgate.check.risk import computed_tier, tier_rank
from martechgate.check.vocabulary import (
    CLASSIFICATIONS,
    DATA_CATEGORIES,
    DIRECTIONS,
    ID_PATTERN,
    METHODS,
    MFA,
    MODELINE,
    PAYMENTS,
    PERSONAL,
    SSO,
    TRANSFER_MECHANISMS,
    load_schema,
)
from martechgate.errors import UsageError
from martechgate.sources.repo import CATALOG_DIR, WorkTree
from martechgate.sources.yamlload import load_bytes, resolve_plain

API_VERSION = "martechgate/v1"
WEBSITE = re.compile(r"^https?://[^\s/.]+(\.[^\s/.]+)+(/\S*)?$")
EEA = frozenset(
    (
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    )
)
# Statuses under which a tool is in use: proposing another one for the same job is an overlap.
IN_USE = ("approved", "restricted", "trial")
# Field order of a written entry: the order of the contract (docs/entry.md), so files read alike.
FIELD_ORDER = (
    "apiVersion",
    "id",
    "name",
    "aliases",
    "vendor",
    "category",
    "purpose",
    "capabilities",
    "status",
    "alternative",
    "criticality",
    "hosting",
    "compliance",
    "owners",
    "provisioning",
    "support",
    "data",
    "security",
    "agreements",
    "integrations",
    "oauth",
    "contract",
    "review",
    "exceptions",
)


class Invalid(ValueError):
    """An answer that cannot be used; the message says why and what to type instead."""


# --- the draft being built -------------------------------------------------------------------------


@dataclass
class Draft:
    """The answers so far (an entry being built) and what they are checked against."""

    organization: Organization
    catalog_ids: dict[str, dict[str, Any]]  # id -> entry data of the tools already in the catalog
    today: date
    answers: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return get(self.answers, *key.split("."))

    def set(self, key: str, value: Any) -> None:
        *parents, last = key.split(".")
        node = self.answers
        for depth, part in enumerate(parents, 1):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise Invalid(
                    f"{'.'.join(parents[:depth])} is {schemas.show(node)} in the answers file, not "
                    "a group of fields, so it cannot hold " + key
                )
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value

    def personal(self) -> bool:
        categories = self.get("data.categories")
        return isinstance(categories, list) and any(c in PERSONAL for c in categories if isinstance(c, str))


# --- answer parsers: text as typed -> the value in the entry, or Invalid -----------------------------


def parse_yes_no(text: str, draft: Draft) -> bool:
    word = text.strip().lower()
    if word in ("y", "yes", "true"):
        return True
    if word in ("n", "no", "false"):
        return False
    raise Invalid("answer yes or no (y/n)")


def _text(text: str, draft: Draft) -> str:
    value = " ".join(text.split())
    if not value:
        raise Invalid("this cannot be empty; type an answer (or ? for help)")
    return value


def slug(name: str) -> str:
    """A tool's name as an id: lower case, dashes, at most 63 characters."""
    value = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    return value if len(value) >= 2 else f"{value}-tool".lstrip("-")


def _id(text: str, draft: Draft) -> str:
    value = text.strip()
    if not ID_PATTERN.match(value):
        raise Invalid(
            f"{value!r} cannot be an id: use 2 to 63 lower-case letters, digits and dashes, "
            f"like {slug(value or 'my tool')!r}"
        )
    if value in draft.catalog_ids:
        raise Invalid(
            f"the catalog already has a tool with the id {value!r}; choose another id, or edit "
            f"catalog/{value}.yaml instead"
        )
    return value


def _website(text: str, draft: Draft) -> str:
    value = text.strip()
    if not re.match(r"^https?://", value):
        value = "https://" + value
    if not WEBSITE.match(value):
        raise Invalid(f"{text.strip()!r} is not a web address; type one like www.example.com")
    return value


def _country(text: str, draft: Draft) -> str:
    value = text.strip().upper()
    problem = country_problem(value)  # the same ISO list `check` uses (rule iso-codes)
    if problem is not None:
        raise Invalid(problem)
    return value


def _countries(text: str, draft: Draft) -> list[str]:
    values = _words(text)
    if not values:
        raise Invalid("type at least one two-letter country code, like US or IE")
    return _unique([_country(value, draft) for value in values])


def _words(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _choice_of(options: Sequence[str], text: str) -> str:
    """An option typed by name or by its number in the list shown."""
    value = text.strip()
    if value.isdigit() and 1 <= int(value) <= len(options):
        return options[int(value) - 1]
    lowered = value.lower()
    if lowered in options:
        return lowered
    close = [o for o in options if fuzz.ratio(lowered, o) >= 80]
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise Invalid(f"{value!r} is not one of the choices{hint}; type one of: {', '.join(options)}")


def _choice(options: Sequence[str]) -> Callable[[str, Draft], str]:
    def parse(text: str, draft: Draft) -> str:
        return _choice_of(options, text)

    return parse


def _category(text: str, draft: Draft) -> str:
    return _choice_of(list(draft.organization.categories), text)


def _capabilities(text: str, draft: Draft) -> list[str]:
    return _unique([slug(word) for word in _words(text)])


def _email(text: str, draft: Draft) -> str:
    value = text.strip()
    if identity.canonical_email(value) is None:
        raise Invalid(f"{value!r} is not an email address; type one like jane.doe@example.com")
    return value


def _technical_owner(text: str, draft: Draft) -> str:
    value = _email(text, draft)
    business = draft.get("owners.business")
    if identity.same_mailbox(business, value):
        labels = draft.organization.role_label("business"), draft.organization.role_label("technical")
        raise Invalid(
            f"{value} is already the {labels[0]}; the {labels[1]} must be a different person "
            "(two people look after every tool)"
        )
    return value


def _data_categories(text: str, draft: Draft) -> list[str]:
    values = _unique([_choice_of(DATA_CATEGORIES, word) for word in _words(text)])
    if not values:
        raise Invalid("type at least one of the kinds of data, or none")
    if "none" in values and len(values) > 1:
        raise Invalid("'none' means no personal data at all; type none alone, or leave it out")
    return values


def _subjects(text: str, draft: Draft) -> list[str]:
    return _unique([slug(word) for word in _words(text)])


def _whole(text: str, draft: Draft) -> int:
    value = text.strip().replace(",", "").replace("_", "")
    if not value.isdigit():
        raise Invalid(f"{text.strip()!r} is not a whole number; type digits only, like 25")
    return int(value)


def _amount(text: str, draft: Draft) -> int | float:
    value = text.strip().replace(",", "").replace("_", "")
    for sign in "$€£¥":
        value = value.replace(sign, "")
    try:
        number = float(value)
    except ValueError:
        raise Invalid(f"{text.strip()!r} is not an amount; type a number like 12000 or 12,000.50") from None
    if not math.isfinite(number) or number < 0:
        raise Invalid("an amount is zero or more, written in digits")
    return int(number) if number.is_integer() else number


def _currency(text: str, draft: Draft) -> str:
    value = text.strip().upper()
    problem = currency_problem(value)
    if problem is not None:
        raise Invalid(problem)
    return value


def _future_date(text: str, draft: Draft) -> str:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            f"{text.strip()!r} is not a date; type it as YYYY-MM-DD, like "
            f"{draft.today.replace(year=draft.today.year + 1).isoformat()}"
        ) from None
    if day <= draft.today:
        raise Invalid(f"{day} is not after today ({draft.today}); the next renewal is a future date")
    return day.isoformat()


def _target(text: str, draft: Draft) -> str:
    value = text.strip()
    if value in draft.catalog_ids:
        return value
    known = sorted(draft.catalog_ids)
    close = [k for k in known if fuzz.partial_ratio(value.lower(), k) >= 80]
    hint = (
        f"; did you mean {', '.join(close[:3])}?"
        if close
        else "; connect only to tools in the catalog (propose the other tool first)"
    )
    raise Invalid(f"there is no tool {value!r} in the catalog{hint}")


# --- the questions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One question of the wizard, about the entry field `key` (a dotted path); also a flag.

    When it is asked (`when`) and what it suggests (`suggest`) are names in CONDITIONS and SUGGESTIONS,
    not code, so the site's "Propose a tool" page can carry the same questions as data (site/propose.py)
    and its script implements each name once."""

    key: str
    text: str
    help: str
    parse: Callable[[str, Draft], Any]
    flag: str = ""
    optional: bool = False  # an empty answer leaves the field out
    suggest: str = ""  # a name in SUGGESTIONS: the answer given by just pressing Enter
    choices: Callable[[Draft], Sequence[str]] | None = None
    when: str = ""  # a name in CONDITIONS: asked only when it holds
    yes_no: bool = False

    def default(self, draft: Draft) -> str | None:
        return SUGGESTIONS[self.suggest](draft)

    def ask_if(self, draft: Draft) -> bool:
        return CONDITIONS[self.when](draft)


CLASSIFICATION_HELP = """How sensitive is the data in the tool, at its most sensitive?
  public        meant for anyone: published blog posts, press releases, public web pages
  internal      for staff only but harmless if leaked: campaign plans, brand assets
  confidential  would hurt customers or the company if leaked: contact lists, leads, deals, contracts
  restricted    the most sensitive: health data, payment cards, passwords, government ids"""

DATA_HELP = """Which kinds of data about people will the tool hold? Type all that apply, separated by commas.
  none           no data about people at all
  contact-pii    names, emails, phone numbers, job titles, company names of prospects or customers
  sensitive-pii  government ids, dates of birth, precise location, or beliefs, health, ethnicity
  phi            health information (US HIPAA): patients, treatments, insurance
  payment        card numbers or bank details
  behavioral     what people do: page views, clicks, email opens, cookies and device ids
  employee       data about our own staff"""

COST_HELP = "Licence and subscription cost per year (not the one-time setup). 0 for a free plan."


def _personal(draft: Draft) -> bool:
    return draft.personal()


def _outside_eea(draft: Draft) -> bool:
    residency = draft.get("data.residency")
    return (
        draft.get("data.eu_subjects") is True
        and isinstance(residency, list)
        and any(country not in EEA for country in residency)
    )


CONDITIONS: dict[str, Callable[[Draft], bool]] = {
    "": lambda d: True,
    "personal": _personal,
    "eu-data-outside-eea": _outside_eea,
    "paid": lambda d: d.get("contract.payment") != "free",
    "auto-renews": lambda d: d.get("contract.auto_renew") is True,
}
SUGGESTIONS: dict[str, Callable[[Draft], str | None]] = {
    "": lambda d: None,
    "id-from-name": lambda d: slug(str(d.get("name"))) if d.get("name") else None,
    "name": lambda d: str(d.get("name")) if d.get("name") else None,
    "vendor-country": lambda d: d.get("vendor.country"),
    "usd": lambda d: "USD",
    "payment-from-cost": lambda d: "free" if d.get("contract.annual_cost") == 0 else "invoice",
    "tool-data": lambda d: ", ".join(d.get("data.categories") or ["none"]),
    "no": lambda d: "n",
}

QUESTIONS: tuple[Question, ...] = (
    Question(
        "name",
        "What is the tool called?",
        "The product's name as people know it, e.g. 'HubSpot Marketing Hub'. It is shown in the catalog.",
        _text,
        flag="name",
    ),
    Question(
        "id",
        "Short id for the catalog file",
        "The file will be catalog/<id>.yaml. Lower-case "
        "letters, digits and dashes; the suggestion is made from the name.",
        _id,
        flag="id",
        suggest="id-from-name",
    ),
    Question(
        "vendor.name",
        "Which company sells it?",
        "The vendor's company name, as on the contract, e.g. 'HubSpot, Inc.'.",
        _text,
        flag="vendor",
        suggest="name",
    ),
    Question(
        "vendor.website",
        "The vendor's website",
        "Its home page, e.g. www.hubspot.com. Press Enter to skip.",
        _website,
        flag="website",
        optional=True,
    ),
    Question(
        "vendor.country",
        "Country where the vendor is based (two letters)",
        "The ISO country code of the vendor's head office: US, GB, IE, DE, FR, ... Press Enter to skip.",
        _country,
        flag="country",
        optional=True,
    ),
    Question(
        "purpose",
        "What will you use it for?",
        "One or two sentences for the reviewers: the job it "
        "does and for which team, e.g. 'Email nurture and landing pages for demand generation'.",
        _text,
        flag="purpose",
    ),
    Question(
        "category",
        "Which category is it in?",
        "The organisation's list of categories (in martechgate.yaml). Type the name or its number.",
        _category,
        flag="category",
        choices=lambda d: list(d.organization.categories),
    ),
    Question(
        "capabilities",
        "What can it do? (short words, separated by commas)",
        "A few words for what "
        "it does, e.g. email, landing-pages, forms. These find overlap with tools we already have. "
        "Press Enter to skip.",
        _capabilities,
        flag="capabilities",
        optional=True,
    ),
    Question(
        "owners.business",
        "Who owns it in marketing? (their email)",
        "The business owner: the person in marketing who answers for how the tool is used.",
        _email,
        flag="business-owner",
    ),
    Question(
        "owners.technical",
        "Who owns it in IT? (their email; a different person)",
        "The technical "
        "owner: the person in IT who answers for access, integrations and security. Joint ownership "
        "is the point: it must be someone else than the marketing owner.",
        _technical_owner,
        flag="technical-owner",
    ),
    Question(
        "owners.department",
        "Which team or department uses it?",
        "e.g. demand-gen, content, brand. Press Enter to skip.",
        _text,
        flag="department",
        optional=True,
    ),
    Question(
        "data.classification",
        "How sensitive is the data it will hold?",
        CLASSIFICATION_HELP,
        _choice(CLASSIFICATIONS),
        flag="classification",
        choices=lambda d: list(CLASSIFICATIONS),
    ),
    Question(
        "data.categories",
        "Which kinds of data about people will it hold?",
        DATA_HELP,
        _data_categories,
        flag="data",
        choices=lambda d: list(DATA_CATEGORIES),
    ),
    Question(
        "data.subjects",
        "About whom? (e.g. prospects, customers, employees)",
        "The groups of people the data is about, separated by commas.",
        _subjects,
        flag="subjects",
        optional=True,
        when="personal",
    ),
    Question(
        "data.eu_subjects",
        "Does it hold data about people in the EU or EEA?",
        "Yes when any of "
        "those people live in the European Union, Iceland, Liechtenstein or Norway: European privacy "
        "law (GDPR) then applies.",
        parse_yes_no,
        flag="eu-subjects",
        when="personal",
        yes_no=True,
    ),
    Question(
        "data.residency",
        "In which countries does the vendor store or process the data?",
        "Two-letter country codes separated by commas, e.g. US, IE. The vendor's security or privacy "
        "page usually says where its data centres are.",
        _countries,
        flag="residency",
        suggest="vendor-country",
        optional=True,
    ),
    Question(
        "data.transfer_mechanism",
        "Which legal safeguard covers sending EU data there?",
        "Data about people in the EU may leave Europe only under a safeguard: scc (standard "
        "contractual clauses, in most vendors' data processing agreement), dpf (the EU-US Data "
        "Privacy Framework), adequacy (the country is recognised by the EU), bcr (binding corporate "
        "rules). Press Enter if you do not know; privacy will help.",
        _choice(TRANSFER_MECHANISMS),
        flag="transfer-mechanism",
        optional=True,
        choices=lambda d: list(TRANSFER_MECHANISMS),
        when="eu-data-outside-eea",
    ),
    Question(
        "data.retention_days",
        "How many days does it keep the data?",
        "How long the tool keeps "
        "personal data before deleting it, in days (365 for a year). Press Enter if not known yet.",
        _whole,
        flag="retention-days",
        optional=True,
        when="personal",
    ),
    Question(
        "security.sso",
        "Do people sign in with the company login (single sign-on)?",
        "Single sign-on means people log in with their company account (Okta, Microsoft, Google) "
        "instead of a separate password, so access ends when they leave. saml and oidc are the two "
        "kinds (the vendor's docs say which); none if it has no single sign-on. Press Enter if you "
        "do not know.",
        _choice(SSO),
        flag="sso",
        optional=True,
        choices=lambda d: list(SSO),
    ),
    Question(
        "security.mfa",
        "Does it have two-step login (MFA)?",
        "Multi-factor authentication asks for "
        "a code or an app approval besides the password. enforced: required for everyone; "
        "available: people may turn it on; none: not offered. Press Enter if you do not know.",
        _choice(MFA),
        flag="mfa",
        optional=True,
        choices=lambda d: list(MFA),
    ),
    Question(
        "security.scim",
        "Can IT create and remove accounts automatically (SCIM)?",
        "SCIM lets the "
        "company directory add and remove users in the tool, so leavers lose access the same day. "
        "Press Enter if you do not know.",
        parse_yes_no,
        flag="scim",
        optional=True,
        yes_no=True,
    ),
    Question("contract.annual_cost", "What does it cost per year?", COST_HELP, _amount, flag="annual-cost"),
    Question(
        "contract.currency",
        "In which currency?",
        "Three letters: USD, EUR, GBP, ...",
        _currency,
        flag="currency",
        suggest="usd",
    ),
    Question(
        "contract.seats", "How many seats (user licences)?", "Press Enter to skip.", _whole, flag="seats", optional=True
    ),
    Question(
        "contract.payment",
        "How will it be paid?",
        "invoice: the vendor bills the company; card: a "
        "company card; expense: paid personally and expensed; marketplace: through a cloud "
        "marketplace; free: no payment.",
        _choice(PAYMENTS),
        flag="payment",
        choices=lambda d: list(PAYMENTS),
        suggest="payment-from-cost",
    ),
    Question(
        "contract.renewal",
        "When does the contract renew? (YYYY-MM-DD)",
        "The date the subscription renews or ends. Press Enter if not known yet.",
        _future_date,
        flag="renewal",
        optional=True,
        when="paid",
    ),
    Question(
        "contract.auto_renew",
        "Does it renew automatically?",
        "Yes when the vendor renews and bills again unless someone cancels in time.",
        parse_yes_no,
        flag="auto-renew",
        optional=True,
        yes_no=True,
        when="paid",
    ),
    Question(
        "contract.notice_days",
        "How many days before renewal must we cancel?",
        "The notice period in the contract, in days (often 30, 60 or 90).",
        _whole,
        flag="notice-days",
        when="auto-renews",
    ),
    Question(
        "contract.implementation_cost",
        "One-time cost to set it up?",
        "Integration, migration, training, agency fees: the cost before it runs. 0 if none.",
        _amount,
        flag="implementation-cost",
        optional=True,
    ),
    Question(
        "contract.support_hours_month",
        "Hours per month our people will spend running it?",
        "Internal effort: administration, user support, integration upkeep.",
        _amount,
        flag="support-hours",
        optional=True,
    ),
)

QUESTION_BY_FLAG = {question.flag: question for question in QUESTIONS}

# How each answer is read, by name: the site's form implements each name the same way (propose.js),
# with the patterns below. A question whose parser is not named is a choice among its `choices`.
PARSER_KINDS: dict[Callable[[str, Draft], Any], str] = {
    _text: "text",
    _id: "id",
    _website: "website",
    _country: "country",
    _countries: "countries",
    _capabilities: "words",
    _subjects: "words",
    _email: "email",
    _technical_owner: "other-email",
    _data_categories: "data-categories",
    _whole: "whole",
    _amount: "amount",
    _currency: "currency",
    _future_date: "future-date",
    _target: "tool",
    parse_yes_no: "yes-no",
}


def written_help(question: Question) -> str:
    """A question's help for a form, where nothing is typed at a prompt: without the prompt's hints."""
    return re.sub(r"\s*(Press Enter[^.]*|Type the name or its number)\.", "", question.help).strip()


def written_text(question: Question) -> str:
    """A question for a form: without the prompt's "(…Enter…)" hint."""
    return re.sub(r"\s*\([^)]*\bEnter\b[^)]*\)", "", question.text).strip()


def kind_of(question: Question) -> str:
    return PARSER_KINDS.get(question.parse, "choice")


def patterns() -> dict[str, str]:
    """The regular expressions answers are checked with, in JavaScript's syntax."""
    return {
        "id": ID_PATTERN.pattern,
        "email": identity.address_pattern_for_javascript(),
        "website": WEBSITE.pattern,
        "legal_suffixes": _LEGAL_SUFFIXES.pattern,
    }


# The integration loop asks these about each connection, in this order.
INTEGRATION_QUESTIONS: tuple[Question, ...] = (
    Question(
        "target",
        "Connects to (a tool's id; Enter when done)",
        "The id of a tool in the catalog this "
        "one will exchange data with (its file name in catalog/ without .yaml). Press Enter when there "
        "are no more.",
        _target,
        optional=True,
    ),
    Question(
        "direction",
        "Which way does the data go?",
        "outbound: this tool sends data to the other one; inbound: it receives data from it; bidirectional: both.",
        _choice(DIRECTIONS),
        choices=lambda d: list(DIRECTIONS),
    ),
    Question(
        "data",
        "Which kinds of data go over it?",
        DATA_HELP,
        _data_categories,
        suggest="tool-data",
    ),
    Question(
        "method",
        "How is it connected?",
        "native: a connector built into the tool; api: custom code; "
        "webhook; file: exports and imports; reverse-etl; zapier; other. Press Enter to skip.",
        _choice(METHODS),
        optional=True,
        choices=lambda d: list(METHODS),
    ),
)


def parse_integration(text: str, draft: Draft) -> dict[str, Any]:
    """`TARGET:DIRECTION[:DATA,DATA]`, the form of the --integration flag."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise Invalid(
            f"{text!r}: write an integration as TARGET:DIRECTION or TARGET:DIRECTION:DATA,DATA, "
            "e.g. salesforce-sales-cloud:outbound:contact-pii"
        )
    integration: dict[str, Any] = {"target": _target(parts[0], draft), "direction": _choice_of(DIRECTIONS, parts[1])}
    if len(parts) == 3:
        integration["data"] = _data_categories(parts[2], draft)
    return integration


# --- finishing a draft -----------------------------------------------------------------------------


def finish(answers: dict[str, Any], money: Money | None = None) -> dict[str, Any]:
    """The entry from the answers: fixed fields filled, status proposed, the computed risk tier."""
    entry = dict(answers)
    entry["apiVersion"] = API_VERSION
    entry.setdefault("status", "proposed")
    tier, _ = computed_tier(entry, money)
    review = entry.get("review", {})
    if isinstance(review, dict):  # anything else is left for the schema to report
        review = dict(review)
        if tier_rank(review.get("risk_tier")) < tier_rank(tier):
            review["risk_tier"] = tier
        entry["review"] = review
    ordered = {key: entry[key] for key in FIELD_ORDER if key in entry}
    ordered.update({key: value for key, value in entry.items() if key not in ordered})
    return ordered


def problems(entry: dict[str, Any], draft: Draft) -> list[str]:
    """Everything wrong with a finished entry, each in plain words; empty when it can be written."""
    found: list[str] = []
    validator = schemas.packaged_validator("entry")
    schema = load_schema("entry")
    unanswered = [q for q in QUESTIONS if not q.optional and q.ask_if(draft) and get(entry, *q.key.split(".")) is None]
    for question in unanswered:
        found.append(
            f"{question.key} is missing: {question.text} (--{question.flag}, or {question.key} in the answers file)"
        )
    asked = {tuple(q.key.split(".")[:depth]) for q in unanswered for depth in (1, 2)}
    for error in validator.iter_errors(entry):
        problem = schemas.describe(error, schema["properties"], schema=schema)
        if problem.missing and tuple(str(part) for part in problem.path) in asked:
            continue  # said above, as the question
        if problem.message not in found:
            found.append(problem.message)
    # The catalog keeps a name an import could not resolve; a new proposal names people reachably.
    owners_given = entry.get("owners")
    for role in ("business", "technical"):
        value = owners_given.get(role) if isinstance(owners_given, dict) else None
        for text in identity.owner_values(value):
            if identity.owner_kind(text, draft.organization.groups) == "name":
                found.append(
                    f"owners.{role} is {text!r}, which is not an email address, a GitHub handle (@login) or a "
                    "group of martechgate.yaml"
                )
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id in draft.catalog_ids:
        found.append(
            f"the catalog already has a tool with the id {entry_id!r}; choose another id, or edit "
            f"catalog/{entry_id}.yaml instead"
        )
    if entry.get("status") != "proposed":
        found.append(
            f"status is {entry.get('status')!r}: a new tool starts as proposed; its status changes "
            "when the reviewers approve it"
        )
    category = entry.get("category")
    if isinstance(category, str) and category not in draft.organization.categories:
        found.append(
            f"category {category!r} is not one of the organisation's categories: "
            f"{', '.join(draft.organization.categories)}"
        )
    owners = entry.get("owners")
    if isinstance(owners, dict):
        groups = draft.organization.group_logins()
        both = identity.owner_people(owners.get("business"), groups) & identity.owner_people(
            owners.get("technical"), groups
        )
        if both:
            who = ", ".join(sorted(key.partition(":")[2] for key in both))
            labels = draft.organization.role_label("business"), draft.organization.role_label("technical")
            found.append(f"{who} is both the {labels[0]} and the {labels[1]}; name two different people")
    integrations = entry.get("integrations")
    for index, integration in enumerate(integrations if isinstance(integrations, list) else []):
        target = integration.get("target") if isinstance(integration, dict) else None
        if isinstance(target, str) and target not in draft.catalog_ids:
            found.append(f"integrations.{index}.target: there is no tool {target!r} in the catalog")
    return found


# --- overlap ---------------------------------------------------------------------------------------

_LEGAL_SUFFIXES = re.compile(
    r"\b(inc|llc|ltd|limited|gmbh|corp|corporation|co|company|plc|sa|sas|bv|ag|"
    r"pty|the)\b"
)


def _vendor_key(name: str) -> str:
    return " ".join(_LEGAL_SUFFIXES.sub(" ", re.sub(r"[^a-z0-9 ]+", " ", name.lower())).split())


def _domain(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    match = re.match(r"^https?://(?:www\.)?([^/:]+)", url.lower())
    return match.group(1) if match else None


@dataclass(frozen=True)
class Overlap:
    entry_id: str
    sentence: str  # "Mailchimp is already approved for email (same capabilities: email)"


def overlaps(entry: dict[str, Any], catalog_ids: dict[str, dict[str, Any]]) -> list[Overlap]:
    """Tools in the catalog this proposal may duplicate: the same product (the catalog matcher that
    `discover` uses), the same vendor (fuzzy), or a tool in use in the same category with overlapping
    capabilities."""
    found: list[Overlap] = []
    index = NameIndex()
    for other_id, other in catalog_ids.items():
        for spelling, what in ((other.get("name"), "entry name"), (other_id, "entry id")):
            if isinstance(spelling, str) and spelling:
                index.add(Spelling(spelling, other_id, what))
    proposed = entry.get("name")
    same_product = (
        {s.spelling.entry_id for s in index.like(proposed)} if isinstance(proposed, str) and proposed.strip() else set()
    )
    vendor = _vendor_key(str(get(entry, "vendor", "name") or ""))
    domain = _domain(get(entry, "vendor", "website"))
    capabilities = set(entry.get("capabilities") or [])
    for other_id, other in sorted(catalog_ids.items()):
        other_name = str(other.get("name") or other_id)
        status = other.get("status")
        other_vendor = _vendor_key(str(get(other, "vendor", "name") or ""))
        same_domain = domain is not None and domain == _domain(get(other, "vendor", "website"))
        if other_id in same_product:
            found.append(Overlap(other_id, f"{other_name} is already in the catalog ({other_id}, {status})"))
            continue
        if vendor and other_vendor and (same_domain or fuzz.token_set_ratio(vendor, other_vendor) >= 90):
            found.append(
                Overlap(
                    other_id,
                    f"{other_name} ({other_id}, {status}) is from the same vendor, {get(other, 'vendor', 'name')}",
                )
            )
            continue
        shared = sorted(capabilities & set(other.get("capabilities") or []))
        if status in IN_USE and other.get("category") == entry.get("category") and shared:
            how = {"approved": "approved", "restricted": "approved for restricted use", "trial": "on trial"}[
                str(status)
            ]
            found.append(
                Overlap(
                    other_id,
                    f"{other_name} is already {how} for {other.get('category')} "
                    f"(same capabilities: {', '.join(shared)})",
                )
            )
    return found


# --- writing ---------------------------------------------------------------------------------------


# libyaml's emitter when PyYAML has it: `import` writes thousands of entries, and the pure-Python
# emitter took most of its time. Whatever it writes is read back and compared before it is kept.
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):  # type: ignore[valid-type,misc]
    """Block mappings, flow lists of plain values; a text that YAML 1.2 would read as something else
    (a number, true, null) is quoted, so the file reads back exactly as written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if value and not isinstance(resolve_plain(value), str) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(not isinstance(item, dict | list) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def yaml_text(entry: dict[str, Any]) -> str:
    """An entry as YAML the way martechgate writes entries (block mappings, flow lists)."""
    return yaml.dump(entry, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def render(entry: dict[str, Any], today: date) -> str:
    text = f"{MODELINE}\n# Proposed with `martechgate new` on {today.isoformat()}.\n{yaml_text(entry)}"
    if load_bytes(text.encode("utf-8")).value != entry:  # the guarantee above, checked, never assumed
        raise UsageError(
            "the entry could not be written as YAML that reads back the same; nothing was written",
            hint="Please report this with the answers you gave.",
        )
    return text


def entry_path(repo: Path, entry_id: str) -> Path:
    return repo / CATALOG_DIR / f"{entry_id}.yaml"


def write_new(repo: Path, entry_id: str, text: str) -> Path:
    """Write catalog/<id>.yaml all at once: a temporary file in the same folder, then linked into place,
    which fails if the entry exists (even one created meanwhile). Never a half-written entry."""
    target = entry_path(repo, entry_id)
    for existing in (target, target.with_suffix(".yml")):
        if existing.exists():
            raise UsageError(
                f"{existing.relative_to(repo)} already exists; nothing was written",
                hint="Choose another id, or edit the existing entry.",
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    if not atomic.write_new(target, text):
        raise UsageError(
            f"{target.relative_to(repo)} appeared while writing; nothing was written",
            hint="Someone else created it: choose another id.",
        )
    return target


# --- after writing: findings and reviewers ---------------------------------------------------------


def catalog_with(repo: Path, entries: list[Entry], file: str, text: str, today: date) -> Catalog:
    """The repo's catalog (`entries`, as read) with the new entry in it, in memory: the same whether
    it was written or is a dry run."""
    others = [entry for entry in entries if entry.file != file]
    return engine.load_catalog(
        WorkTree(repo), today=today, entries=[*others, Entry(file, load_bytes(text.encode("utf-8")), None)]
    )


def findings_for(catalog: Catalog, file: str) -> list[Finding]:
    """The new entry's findings, as `check` would report them. Only this file is judged on its own;
    the rules that compare entries run over the catalog (they need it) and keep this file's findings."""
    entry = next(entry for entry in catalog.entries if entry.file == file)
    findings = entry_findings(catalog, entry)
    for rule in engine.CATALOG_RULES:
        findings.extend(finding for finding in rule.check(catalog) if finding.file == file)
    return sorted(engine.apply_waivers(catalog, findings), key=Finding.sort_key)
