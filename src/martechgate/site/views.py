"""What the site shows, as plain values: one view per tool, the renewals, the spend, the data flows.

Built from the catalog and the engine's report. Entries are read defensively (a broken entry still
gets a row and a page with its findings), and nothing here is HTML: escaping is the templates' job.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from martechgate.check import risk, waivers
from martechgate.check.catalog import Catalog
from martechgate.check.model import DEFAULT_ROLE_LABELS, Entry, Finding, Organization, Report, get
from martechgate.check.rules import data_flow
from martechgate.check.vocabulary import PERSONAL
from martechgate.gate.applicable import ChangedFile, applicable_rules, describe_requirement
from martechgate.vendors import renewals as renewals_report
from martechgate.vendors import spend as spend_report
from martechgate.vendors.tools import read_tools

ACT_WITHIN_DAYS = 30  # a cancellation deadline this close is flagged on the renewals calendar
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


def text(value: Any) -> str | None:
    """A scalar as text (None when absent); lists and mappings are not text."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def texts(value: Any) -> list[str]:
    return [t for t in (text(item) for item in value) if t is not None] if isinstance(value, list) else []


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def slug(value: str) -> str:
    """A file name for any catalog text: itself when already safe, else a readable stem plus a hash."""
    if _SAFE_NAME.match(value):
        return value
    stem = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:40] or "x"
    return f"{stem}-{hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:8]}"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str | None
    link: str | None = None  # an http(s) address, shown as a link


@dataclass(frozen=True)
class FactGroup:
    title: str
    facts: list[Fact]


@dataclass(frozen=True)
class ExceptionView:
    rule: str | None
    reason: str | None
    approved_by: str | None
    ticket: str | None
    expires: str | None
    state: str  # "valid", "expired" or "invalid"
    note: str  # days left, or what is wrong with it


@dataclass(frozen=True)
class Flow:
    """One integration as a directed flow of data between two tools."""

    source: str  # tool id the data leaves
    target: str  # tool id the data arrives in
    declared_by: str  # the tool whose entry declares the integration
    data: list[str]
    method: str | None
    personal: bool
    uncleared: bool  # a data-flow-clearance finding (not waived) names this integration
    waived: bool  # such a finding exists but an exception waives it


@dataclass(frozen=True)
class HistoryItem:
    when: str  # the day it landed (UTC)
    author: str  # who proposed it: for a merge, the author of the merged branch
    subject: str
    sha: str
    action: str  # added, changed, renamed, removed
    fields: list[str]  # the fields it changed, in words


@dataclass
class ToolView:
    key: str  # the page's file name, unique
    id: str
    file: str
    name: str
    readable: bool
    vendor: str | None
    category: str | None
    status: str | None
    purpose: str | None
    capabilities: list[str]
    data_categories: list[str]
    owners: list[str]  # business and technical, in that order
    business_owner: str | None
    department: str | None
    computed_risk: str | None
    risk_reasons: list[str]
    declared_risk: str | None
    annual_cost: float | None
    currency: str | None
    facts: list[FactGroup]
    findings: list[Finding]
    exceptions: list[ExceptionView]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)  # the entry as loaded ({} if unreadable)
    flows_out: list[Flow] = field(default_factory=list)  # flows this entry declares
    flows_in: list[Flow] = field(default_factory=list)  # flows other entries declare into or from it
    history: list[HistoryItem] = field(default_factory=list)

    @property
    def blocking(self) -> int:
        return sum(1 for finding in self.findings if finding.blocking)

    @property
    def understated(self) -> bool:
        """A declared tier below the computed one (no declared tier is a schema finding instead)."""
        return (
            self.declared_risk is not None
            and self.computed_risk is not None
            and risk.tier_rank(self.declared_risk) < risk.tier_rank(self.computed_risk)
        )

    @property
    def search_text(self) -> str:
        parts = [
            self.name,
            self.id,
            self.vendor,
            self.category,
            self.status,
            self.purpose,
            self.department,
            *self.capabilities,
            *self.data_categories,
            *self.owners,
        ]
        return " ".join(p for p in parts if p).lower()


def _fact(label: str, value: Any, *, link: bool = False) -> Fact:
    if isinstance(value, list):
        shown: str | None = ", ".join(texts(value)) or "none"
    else:
        shown = text(value)
    url = shown if link and shown and re.match(r"^https?://", shown) else None
    return Fact(label, shown, url)


def _money(value: Any, currency: str) -> str | None:
    amount = number(value)
    return f"{amount:,.0f} {currency}".strip() if amount is not None else text(value)


def owner_roles(organization: Organization) -> dict[str, str]:
    """What the two owners are called: the organisation file's `owner_roles`, else the defaults."""
    return {role: organization.role_label(role) for role in DEFAULT_ROLE_LABELS}


def _facts(data: dict[str, Any], reviewers: str, roles: dict[str, str]) -> list[FactGroup]:
    vendor, owners, d = get(data, "vendor"), get(data, "owners"), get(data, "data")
    security, agreements = get(data, "security"), get(data, "agreements")
    contract, review, oauth = get(data, "contract"), get(data, "review"), get(data, "oauth")
    evidence = (
        [
            f"{text(get(e, 'type')) or '?'} (period end {text(get(e, 'period_end')) or 'not set'}, "
            f"expires {text(get(e, 'expires')) or 'not set'})"
            for e in get(security, "evidence") or []
            if isinstance(e, dict)
        ]
        if isinstance(get(security, "evidence"), list)
        else []
    )
    currency = text(get(contract, "currency")) or ""
    return [
        FactGroup(
            "Purpose",
            [
                _fact("Purpose", get(data, "purpose")),
                _fact("Capabilities", get(data, "capabilities")),
                _fact("Status", get(data, "status")),
                _fact("Preferred alternative", get(data, "alternative")),
                _fact("Also known as", get(data, "aliases")),
            ],
        ),
        FactGroup(
            "Operations",
            [
                _fact("Business criticality", get(data, "criticality")),
                _fact("Hosting", get(data, "hosting")),
                _fact("Compliance scope", get(data, "compliance")),
                _fact("Access granted by", get(data, "provisioning", "provisioner")),
                _fact("Access removed by", get(data, "provisioning", "deprovisioner")),
                _fact("Identity-provider group", get(data, "provisioning", "assignment_group")),
                _fact("Support", get(data, "support", "channel")),
                _fact("Documentation", get(data, "support", "documentation"), link=True),
            ],
        ),
        FactGroup(
            "Vendor",
            [
                _fact("Name", get(vendor, "name")),
                _fact("Website", get(vendor, "website"), link=True),
                _fact("Country", get(vendor, "country")),
            ],
        ),
        FactGroup(
            "Owners",
            [
                _fact(roles["business"], get(owners, "business")),
                _fact(roles["technical"], get(owners, "technical")),
                _fact("Department", get(owners, "department")),
            ],
        ),
        FactGroup(
            "Data",
            [
                _fact("Classification", get(d, "classification")),
                _fact("Categories", get(d, "categories")),
                _fact("About whom", get(d, "subjects")),
                _fact("People in the EU", get(d, "eu_subjects")),
                _fact("Processed in", get(d, "residency")),
                _fact("Transfer safeguard", get(d, "transfer_mechanism")),
                _fact("Kept for (days)", get(d, "retention_days")),
                _fact("Collected (in the inventory's words)", get(d, "collected")),
            ],
        ),
        FactGroup(
            "Security",
            [
                _fact("Single sign-on", get(security, "sso")),
                _fact("Multi-factor authentication", get(security, "mfa")),
                _fact("Automatic provisioning (SCIM)", get(security, "scim")),
                Fact("Evidence", "; ".join(evidence) or "none"),
                _fact("OAuth scopes", get(oauth, "scopes")),
                _fact("OAuth consent", get(oauth, "consent")),
            ],
        ),
        FactGroup(
            "Agreements",
            [
                _fact("Data processing agreement", get(agreements, "dpa")),
                _fact("Business associate agreement (HIPAA)", get(agreements, "baa")),
                _fact("CCPA service provider", get(agreements, "ccpa_service_provider")),
                _fact("Sub-processors", get(agreements, "subprocessors_url"), link=True),
                _fact("Is our sub-processor", get(agreements, "subprocessor")),
            ],
        ),
        FactGroup(
            "Contract",
            [
                Fact("Annual cost", _money(get(contract, "annual_cost"), currency)),
                _fact("Payment", get(contract, "payment")),
                _fact("Seats", get(contract, "seats")),
                _fact("Started", get(contract, "start")),
                _fact("Renews", get(contract, "renewal")),
                _fact("Renews automatically", get(contract, "auto_renew")),
                _fact("Notice (days)", get(contract, "notice_days")),
                Fact("One-time implementation cost", _money(get(contract, "implementation_cost"), currency)),
                _fact("Internal effort (hours a month)", get(contract, "support_hours_month")),
            ],
        ),
        FactGroup(
            "Review",
            [
                _fact("Declared risk tier", get(review, "risk_tier")),
                _fact("Last reviewed", get(review, "last_reviewed")),
                _fact("Next review", get(review, "next_review")),
                Fact("Reviewers a change to it needs", reviewers or "none"),
            ],
        ),
    ]


def _exceptions(catalog: Catalog, entry: Entry) -> list[ExceptionView]:
    items = get(entry.data, "exceptions")
    if not isinstance(items, list):
        return []
    judged = {j.index: j for j in waivers.judge(catalog, entry)}
    views = []
    for index, item in enumerate(items):
        verdict = judged.get(index)
        expires = iso_date(get(item, "expires"))
        if verdict is not None and verdict.waiver is not None:
            left = (expires - catalog.today).days if expires else 0
            state, note = "valid", f"{left} days left" if left != 1 else "1 day left"
        elif verdict is not None and verdict.problem == "exception-expired":
            state, note = "expired", "expired: the finding it waived blocks again"
        else:
            state, note = "invalid", verdict.message if verdict is not None else "not a valid exception"
        views.append(
            ExceptionView(
                text(get(item, "rule")),
                text(get(item, "reason")),
                text(get(item, "approved_by")),
                text(get(item, "ticket")),
                text(get(item, "expires")),
                state,
                note,
            )
        )
    return views


def _reviewers(catalog: Catalog, entry: Entry) -> str:
    """The review rules a pull request changing this tool needs, as `martechgate review` decides."""
    organization = catalog.organization
    applied = applicable_rules(organization, [ChangedFile(entry.file, entry=entry.data)])
    return "; ".join(f"{item.rule.name}: {describe_requirement(organization, item.rule)}" for item in applied)


def _tool(catalog: Catalog, entry: Entry, key: str, findings: list[Finding]) -> ToolView:
    data = entry.data or {}
    tool_id = entry.id or entry.stem
    computed, reasons = risk.computed_tier(data, catalog.organization.money) if entry.data is not None else (None, [])
    owners = [o for o in (text(get(data, "owners", "business")), text(get(data, "owners", "technical"))) if o]
    return ToolView(
        key=key,
        id=tool_id,
        file=entry.file,
        name=text(get(data, "name")) or tool_id,
        readable=entry.data is not None,
        vendor=text(get(data, "vendor", "name")),
        category=text(get(data, "category")),
        status=text(get(data, "status")),
        purpose=text(get(data, "purpose")),
        capabilities=texts(get(data, "capabilities")),
        data_categories=[c for c in texts(get(data, "data", "categories")) if c != "none"],
        owners=list(dict.fromkeys(owners)),
        business_owner=text(get(data, "owners", "business")),
        department=text(get(data, "owners", "department")),
        computed_risk=computed,
        risk_reasons=reasons,
        declared_risk=text(get(data, "review", "risk_tier")),
        annual_cost=number(get(data, "contract", "annual_cost")),
        currency=text(get(data, "contract", "currency")),
        facts=_facts(data, _reviewers(catalog, entry), owner_roles(catalog.organization))
        if entry.data is not None
        else [],
        findings=findings,
        exceptions=_exceptions(catalog, entry),
        raw=data,
    )


def _flows(tools: list[ToolView], report: Report) -> list[Flow]:
    """Every integration as flows (a bidirectional one is two), marked by the clearance findings."""
    flagged: dict[tuple[str, str], bool] = {}  # (file, "integrations.N.data") -> waived?
    for finding in report.findings:
        if finding.rule == data_flow.ID and finding.file and finding.path:
            key = (finding.file, finding.path)
            flagged[key] = flagged.get(key, True) and finding.waived_by is not None
    flows = []
    for tool in tools:
        integrations = tool.raw.get("integrations")
        for index, integration in enumerate(integrations if isinstance(integrations, list) else []):
            target = text(get(integration, "target"))
            if target is None:
                continue
            sent = [c for c in texts(get(integration, "data")) if c != "none"]
            mark = flagged.get((tool.file, f"integrations.{index}.data"))
            direction = text(get(integration, "direction"))
            ends = {
                "outbound": [(tool.id, target)],
                "inbound": [(target, tool.id)],
                "bidirectional": [(tool.id, target), (target, tool.id)],
            }.get(direction or "", [])
            for source, sink in ends:
                flows.append(
                    Flow(
                        source,
                        sink,
                        tool.id,
                        sent,
                        text(get(integration, "method")),
                        personal=bool(set(sent) & PERSONAL),
                        uncleared=mark is False,
                        waived=mark is True,
                    )
                )
    return flows


@dataclass(frozen=True)
class RenewalView:
    renewal: renewals_report.Renewal
    key: str | None  # the tool's page
    state: str  # "act-now" (the last day to cancel is within 30 days, or gone) or "upcoming"


@dataclass(frozen=True)
class Month:
    label: str  # "March 2027"
    key: str  # "2027-03"
    renewals: list[RenewalView]


def renewals(catalog: Catalog, keys: dict[str, str]) -> list[Month]:
    """Every renewal from today on, by month: the same renewals and deadlines as `martechgate renewals`."""
    today = catalog.today
    by_month: dict[str, list[RenewalView]] = {}
    for item in renewals_report.due(read_tools(catalog), today, date.max):
        soon = item.deadline is not None and item.deadline <= today + timedelta(days=ACT_WITHIN_DAYS)
        by_month.setdefault(item.renewal.strftime("%Y-%m"), []).append(
            RenewalView(item, keys.get(item.tool.id), "act-now" if soon else "upcoming")
        )
    return [
        Month(
            date.fromisoformat(f"{key}-01").strftime("%B %Y"),
            key,
            sorted(items, key=lambda r: (r.renewal.renewal, r.renewal.tool.id)),
        )
        for key, items in sorted(by_month.items())
    ]


@dataclass(frozen=True)
class SpendBar:
    category: str
    amount: float  # licence a year
    tools: int
    tco_per_year: float | None


@dataclass(frozen=True)
class Spend:
    currency: str
    bars: list[SpendBar]  # largest first
    total: float
    total_tco_per_year: float | None
    tools: int  # every tool in use in this currency, priced or not


def spend(catalog: Catalog) -> list[Spend]:
    """Licence a year by category, one chart per currency (never converted): the figures of
    `martechgate spend --by category`, with its default hourly rate for the total cost of ownership."""
    table = spend_report.spend_by_group(read_tools(catalog), "category", spend_report.HourlyRates())
    result: dict[str, Spend] = {}
    for row in table.rows:
        currency = row["currency"]
        spend = result.setdefault(currency, Spend(currency, [], 0.0, None, 0))
        if row["group"] == spend_report.ALL:
            result[currency] = Spend(
                currency, spend.bars, float(row["annual_licence"] or 0), row["tco_per_year"], row["tools"]
            )
        elif row["annual_licence"]:
            spend.bars.append(SpendBar(row["group"], float(row["annual_licence"]), row["tools"], row["tco_per_year"]))
    for item in result.values():
        item.bars.sort(key=lambda bar: (-bar.amount, bar.category))
    return sorted((s for s in result.values() if s.bars), key=lambda s: (-s.total, s.currency))


@dataclass
class SiteData:
    catalog: Catalog
    report: Report
    tools: list[ToolView]
    flows: list[Flow]
    orphan_findings: list[Finding]  # findings that name no catalog file

    def tool_by_id(self, tool_id: str) -> ToolView | None:
        return next((t for t in self.tools if t.id == tool_id), None)


def build(catalog: Catalog, report: Report) -> SiteData:
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file or "", []).append(finding)
    tools: list[ToolView] = []
    used: set[str] = set()
    for entry in sorted(catalog.entries, key=lambda e: ((e.id or e.stem).lower(), e.file)):
        key, n = slug(entry.stem), 1
        while key in used:
            n += 1
            key = f"{slug(entry.stem)}-{n}"
        used.add(key)
        tools.append(_tool(catalog, entry, key, by_file.get(entry.file, [])))
    tools.sort(key=lambda t: (t.name.lower(), t.key))
    flows = _flows(tools, report)
    for tool in tools:
        tool.flows_out = [f for f in flows if f.declared_by == tool.id]
        tool.flows_in = [f for f in flows if f.declared_by != tool.id and tool.id in (f.source, f.target)]
    files = {entry.file for entry in catalog.entries}
    orphans = [f for f in report.findings if f.file not in files]
    return SiteData(catalog, report, tools, flows, orphans)
