"""Money in one currency: the organisation's (`currency` in martechgate.yaml, USD when it says none).

Every threshold (review rules' `annual_cost_over`, the computed risk tier's cost levels) is in that
currency unless it names another. An amount in another currency is converted with the organisation's
dated table of rates (`exchange_rates`); when the table has no rate for it the amount cannot be
compared, and callers say so and fail closed (the review is required, the tier assumes the threshold is
reached) instead of comparing 1,000,000 JPY with 100,000 USD as numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

DEFAULT_CURRENCY = "USD"
# Rates older than this are reported (rule exchange-rates) but still used: a stale rate is better than
# none, and whether it is still good enough is finance's call, not the tool's.
STALE_AFTER_DAYS = 366


@dataclass(frozen=True)
class Amount:
    """An amount as an entry or a threshold states it."""

    value: float
    currency: str

    def words(self) -> str:
        return f"{self.value:,.0f} {self.currency}"


@dataclass(frozen=True)
class Money:
    """The organisation's currency and its rates: `rates[X]` is the value of one X in `currency`."""

    currency: str = DEFAULT_CURRENCY
    rates: Mapping[str, float] = field(default_factory=dict)
    as_of: date | None = None
    where: tuple[int | None, int | None] = field(default=(None, None), compare=False)  # as_of in the file

    @classmethod
    def from_organisation(cls, raw: Mapping[str, Any], where: tuple[int | None, int | None] = (None, None)) -> Money:
        """From martechgate.yaml's `currency` and `exchange_rates`, already validated by its schema."""
        table = raw.get("exchange_rates") or {}
        as_of = table.get("as_of")
        return cls(
            str(raw.get("currency", DEFAULT_CURRENCY)),
            {str(code): float(rate) for code, rate in (table.get("rates") or {}).items()},
            date.fromisoformat(str(as_of)) if as_of is not None else None,
            where,
        )

    def rate(self, currency: str) -> float | None:
        if currency == self.currency:
            return 1.0
        return self.rates.get(currency)

    def convert(self, amount: Amount) -> float | None:
        """The amount in the organisation's currency, or None when there is no rate for it (nothing
        costs nothing in every currency)."""
        if amount.value == 0:
            return 0.0
        rate = self.rate(amount.currency)
        return None if rate is None else amount.value * rate

    def missing_rate(self, currency: str) -> str:
        """Why an amount in `currency` cannot be compared, and what to do."""
        return (
            f"no exchange rate for {currency} in martechgate.yaml (exchange_rates.rates.{currency}: "
            f"the value of one {currency} in {self.currency})"
        )

    def as_data(self) -> dict[str, Any]:
        """For the site's pages, which compare amounts in the browser the same way."""
        return {
            "currency": self.currency,
            "rates": dict(self.rates),
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def entry_amount(entry: Mapping[str, Any], key: str, money: Money) -> Amount | None:
    """`contract.<key>` of an entry with its currency (the organisation's when the entry names none),
    or None when the entry states no number."""
    contract = entry.get("contract")
    if not isinstance(contract, Mapping):
        return None
    value = _number(contract.get(key))
    if value is None:
        return None
    currency = contract.get("currency")
    return Amount(value, currency if isinstance(currency, str) and currency else money.currency)


def threshold(value: Any, money: Money) -> Amount | None:
    """A threshold as a rule writes it: a number (in the organisation's currency) or
    `{amount: N, currency: XXX}`; None for anything else (the schema has already refused it)."""
    if isinstance(value, Mapping):
        number = _number(value.get("amount"))
        currency = value.get("currency", money.currency)
        return Amount(number, str(currency)) if number is not None else None
    number = _number(value)
    return Amount(number, money.currency) if number is not None else None


# The contract's amounts: what a policy's numeric bounds on money compare.
MONEY_FIELDS = ("annual_cost", "implementation_cost")
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "const", "enum")


def compares_money(schema: Any) -> bool:
    """Whether a JSON Schema (a policy's `match` or `require`) bounds an amount by a number other than
    0: such a bound means a sum in some currency (0 is 0 in every one)."""
    if isinstance(schema, list):
        return any(compares_money(item) for item in schema)
    if not isinstance(schema, Mapping):
        return False
    for key, value in schema.items():
        if key in MONEY_FIELDS and isinstance(value, Mapping) and _bounded(value):
            return True
        if compares_money(value):
            return True
    return False


def _bounded(schema: Mapping[str, Any]) -> bool:
    for key in _BOUNDS:
        bound = schema.get(key)
        values = bound if isinstance(bound, list) else [bound]
        if any(_number(value) not in (None, 0.0) for value in values):
            return True
    return any(_bounded(part) for key in ("allOf", "anyOf", "oneOf", "not") for part in _parts(schema.get(key)))


def _parts(value: Any) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping)]


def in_currency(entry: Mapping[str, Any], currency: str, money: Money) -> tuple[Mapping[str, Any], str | None]:
    """The entry with its contract's amounts in `currency` (a policy's thresholds are in it), and None;
    or the entry as written and why an amount cannot be brought into that currency."""
    contract = entry.get("contract")
    if not isinstance(contract, Mapping):
        return entry, None
    converted = dict(contract)
    for key in MONEY_FIELDS:
        amount = entry_amount(entry, key, money)
        if amount is None or amount.currency == currency:
            continue
        value = money.convert(amount)
        rate = money.rate(currency)
        if value is None or (rate is None and value != 0):
            missing = amount.currency if value is None else currency
            return entry, (
                f"contract.{key} ({amount.words()}) cannot be compared with thresholds in {currency}: "
                f"there is {money.missing_rate(missing)}"
            )
        converted[key] = value / rate if rate else 0.0
    if converted == contract:
        return entry, None
    converted["currency"] = currency
    return {**entry, "contract": converted}, None
