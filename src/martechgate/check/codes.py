"""Country and currency codes checked against ISO 3166-1 and ISO 4217 (pycountry's maintained lists),
not a pattern: "EU" and "XX" are two capital letters, and neither is a country.

Each check returns None for a code that exists, else a sentence saying why not and, where a common
mistake is recognised, what was probably meant. The checks read only the tables `lists()` returns, so
the site's "Propose a tool" page, which gets the same tables as data, gives the same answers in the
browser (templates/site/propose.js; tests/test_propose_page.py compares the two).
"""

from __future__ import annotations

from functools import cache
from typing import TypedDict

# Codes people write that ISO does not assign (or assigns to something else), and what they mean.
_COUNTRY_MEANT = {
    "UK": "GB, the United Kingdom's code",
    "EU": "a member state's code, e.g. IE, DE or FR (the EU is not a country)",
    "EL": "GR, Greece's code",
}
_CURRENCY_MEANT = {"RMB": "CNY", "NIS": "ILS", "UKP": "GBP", "STG": "GBP", "EURO": "EUR", "US$": "USD"}


class Lists(TypedDict):
    countries: list[str]  # ISO 3166-1 alpha-2
    currencies: list[str]  # ISO 4217 alphabetic codes
    country_meant: dict[str, str]  # a common mistake -> what was meant
    currency_meant: dict[str, str]
    alpha3: dict[str, str]  # an alpha-3 country code -> its alpha-2 code, said in words


@cache
def lists() -> Lists:
    """The tables both checks read; loaded once, on first use (pycountry reads its JSON files then)."""
    import pycountry  # imported here: a check whose entries all come from its cache never needs it

    countries = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    return {
        "countries": [c.alpha_2 for c in countries],
        "currencies": sorted(c.alpha_3 for c in pycountry.currencies),
        "country_meant": dict(_COUNTRY_MEANT),
        "currency_meant": dict(_CURRENCY_MEANT),
        "alpha3": {c.alpha_3: f"{c.alpha_2}, the two-letter code of {c.name}" for c in countries},
    }


@cache
def _sets() -> tuple[frozenset[str], frozenset[str]]:
    tables = lists()
    return frozenset(tables["countries"]), frozenset(tables["currencies"])


def country_problem(code: str) -> str | None:
    countries, _ = _sets()
    if code in countries:
        return None
    text = f"{code!r} is not an ISO 3166-1 country code"
    upper = code.upper()
    meant = _COUNTRY_MEANT.get(upper)
    if meant is None and len(code) == 3:
        meant = lists()["alpha3"].get(upper)
    if meant is None and upper in countries:
        meant = upper
    return f"{text}; write {meant}" if meant else f"{text}; write the two-letter code, e.g. US, IE or DE"


def currency_problem(code: str) -> str | None:
    _, currencies = _sets()
    if code in currencies:
        return None
    text = f"{code!r} is not an ISO 4217 currency code"
    upper = code.upper()
    meant = _CURRENCY_MEANT.get(upper)
    if meant is None and upper in currencies:
        meant = upper
    return f"{text}; write {meant}" if meant else f"{text}; write three letters, e.g. USD, EUR or GBP"
