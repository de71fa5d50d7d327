"""exchange-rates: every cost can be compared in the organisation's currency.

Thresholds (review rules' `annual_cost_over`, the risk tier's cost levels) are in the currency
martechgate.yaml names (`currency`, USD by default). A tool paid in another currency is converted with
the organisation's dated `exchange_rates`; without a rate its cost cannot be compared, and martechgate
assumes the worst (the review is required, the tier counts the threshold as reached) rather than
compare 1,000,000 JPY with 100,000 USD as numbers. This rule says where that happens, and where a
cost is converted with a table over a year old. (A review rule whose threshold names a currency
without a rate is an error in martechgate.yaml itself.)

Passes (martechgate.yaml: `currency: USD`, `exchange_rates: {as_of: 2026-11-30, rates: {JPY: 0.0067}}`)::

    contract: {annual_cost: 1000000, currency: JPY}

Fails (no rate for JPY)::

    contract: {annual_cost: 1000000, currency: JPY}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding
from martechgate.check.money import STALE_AFTER_DAYS

ID = "exchange-rates"
TITLE = "Costs in other currencies have a current exchange rate"
SEVERITY = "medium"
ENFORCEMENT = "advisory"  # the comparisons themselves fail closed; this says why, and what to add
SCOPE = "entry"
REMEDIATION = (
    "Add the currency under exchange_rates.rates in martechgate.yaml (the value of one unit in the "
    "organisation's currency) and set exchange_rates.as_of to the rates' date; finance owns the figures."
)
_AMOUNTS = ("annual_cost", "implementation_cost")


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    if not catalog.is_valid(entry):
        return
    money = catalog.organization.money
    contract = (entry.data or {}).get("contract")
    if not isinstance(contract, dict):
        return
    currency = contract.get("currency")
    costed = [key for key in _AMOUNTS if isinstance(contract.get(key), int | float) and contract.get(key)]
    if not isinstance(currency, str) or currency == money.currency or not costed:
        return
    what = " and ".join(costed)
    if money.rate(currency) is None:
        yield catalog.finding(
            ID,
            entry,
            ("contract", "currency"),
            f"{entry.id}'s {what} in {currency} cannot be compared with thresholds in {money.currency}: there is "
            f"{money.missing_rate(currency)}, so the risk tier and review rules assume the thresholds are reached",
        )
    elif money.as_of is not None and (catalog.today - money.as_of).days > STALE_AFTER_DAYS:
        yield catalog.finding(
            ID,
            entry,
            ("contract", "currency"),
            f"{entry.id}'s {what} in {currency} is converted with rates from {money.as_of.isoformat()}, over a "
            f"year before {catalog.today.isoformat()}: it may no longer be on the side of a threshold it seems",
        )
