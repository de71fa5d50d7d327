"""Country and currency codes checked against ISO 3166-1 and ISO 4217 (pycountry's maintained lists),
not a pattern: "EU" and "XX" are two capital letters, and neither is a country.

Each check returns None for a code that exists, else a sentence saying why not and, where a common
mistake is recognised, what was probably meant.
"""

from __future__ import annotations

import pycountry

# Codes people write that ISO does not assign (or assigns to something else), and what they mean.
_COUNTRY_MEANT = {
    "UK": "GB, the United Kingdom's code",
    "EU": "a member state's code, e.g. IE, DE or FR (the EU is not a country)",
    "EL": "GR, Greece's code",
}
_CURRENCY_MEANT = {"RMB": "CNY", "NIS": "ILS", "UKP": "GBP", "STG": "GBP", "EURO": "EUR", "US$": "USD"}


def country_problem(code: str) -> str | None:
    if len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None and code.isupper():
        return None
    text = f"{code!r} is not an ISO 3166-1 country code"
    meant = _COUNTRY_MEANT.get(code.upper())
    if meant is None and len(code) == 3:
        country = pycountry.countries.get(alpha_3=code.upper())
        meant = f"{country.alpha_2}, the two-letter code of {country.name}" if country is not None else None
    if meant is None and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None:
        meant = code.upper()
    return f"{text}; write {meant}" if meant else f"{text}; write the two-letter code, e.g. US, IE or DE"


def currency_problem(code: str) -> str | None:
    if len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None:
        return None
    text = f"{code!r} is not an ISO 4217 currency code"
    meant = _CURRENCY_MEANT.get(code.upper())
    if meant is None and pycountry.currencies.get(alpha_3=code.upper()) is not None:
        meant = code.upper()
    return f"{text}; write {meant}" if meant else f"{text}; write three letters, e.g. USD, EUR or GBP"
