"""iso-codes: countries are ISO 3166-1 codes and currencies ISO 4217 codes that exist.

The entry format asks for two capital letters and three capital letters; this rule checks them
against the maintained ISO lists, so "EU" (not a country: name the member state), "UK" (GB) or "XX"
cannot slip into vendor.country or data.residency, nor "RMB" into contract.currency.

Passes::

    vendor: {country: IE}
    data: {residency: [US, DE]}
    contract: {currency: EUR}

Fails::

    vendor: {country: EU}
    contract: {currency: XYZ}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.codes import country_problem, currency_problem
from martechgate.check.model import Entry, Finding

ID = "iso-codes"
TITLE = "Country and currency codes exist in ISO 3166-1 and ISO 4217"
SEVERITY = "medium"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = "Write the ISO code: two letters for a country (US, IE, DE), three for a currency (USD, EUR)."


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    if not catalog.is_valid(entry):
        return  # the schema rule reports what is not even two or three capital letters
    data = entry.data or {}
    places: list[tuple[tuple[str | int, ...], str | None]] = []
    country = (data.get("vendor") or {}).get("country")
    if isinstance(country, str):
        places.append((("vendor", "country"), country_problem(country)))
    for index, place in enumerate((data.get("data") or {}).get("residency") or []):
        if isinstance(place, str):
            places.append((("data", "residency", index), country_problem(place)))
    currency = (data.get("contract") or {}).get("currency")
    if isinstance(currency, str):
        places.append((("contract", "currency"), currency_problem(currency)))
    for path, problem in places:
        if problem is not None:
            yield catalog.finding(ID, entry, path, problem)
