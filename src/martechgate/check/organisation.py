"""martechgate.yaml: the organisation's categories, reviewer groups and review rules."""

from __future__ import annotations

from typing import Any

from martechgate.check import schemas
from martechgate.check.codes import currency_problem
from martechgate.check.model import Group, Organization, ReviewRule, ReviewSettings
from martechgate.check.money import Money, threshold
from martechgate.errors import ConfigError
from martechgate.sources.repo import ORG_FILE, Source
from martechgate.sources.yamlload import Loaded, load_bytes


def parse_organization(raw: bytes, file: str = ORG_FILE) -> Organization:
    loaded = load_bytes(raw)
    if loaded.problems:
        first = loaded.problems[0]
        raise ConfigError(
            first.message,
            file=file,
            line=first.line,
            column=first.column,
            hint="martechgate.yaml must be valid YAML; nothing can be checked without it.",
        )
    value = loaded.value
    if not isinstance(value, dict):
        raise ConfigError(
            "martechgate.yaml must be a mapping with organization, categories, groups and review",
            file=file,
            line=1,
            column=1,
            hint="`martechgate init DIR` writes a working one to start from.",
        )
    error = schemas.first_error("organization", value, loaded)
    if error is not None:
        message, line, column = error
        raise ConfigError(message, file=file, line=line, column=column)
    groups = {
        name: Group(name, tuple(spec.get("members", ())), spec.get("github_team"))
        for name, spec in value["groups"].items()
    }
    review = value["review"]
    rules = []
    for index, rule in enumerate(review["rules"]):
        unknown = sorted(set(rule["require"]) - set(groups))
        if unknown:
            line, column = loaded.where(("review", "rules", index, "require"))
            raise ConfigError(
                f"review rule {rule['name']!r} requires the group {unknown[0]!r}, which is "
                f"not under groups (known: {', '.join(sorted(groups))})",
                file=file,
                line=line,
                column=column,
            )
        where = loaded.where(("review", "rules", index, "require"))
        rules.append(ReviewRule(rule["name"], dict(rule["when"]), dict(rule["require"]), where))
    names = [rule.name for rule in rules]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ConfigError(f"two review rules are named {duplicated[0]!r}; names must differ", file=file)
    return Organization(
        money=_money(value, loaded, file),
        name=value["organization"],
        categories=tuple(value["categories"]),
        groups=groups,
        review=ReviewSettings(
            tuple(rules),
            review.get("distinct_reviewers", True),
            review.get("author_can_approve", False),
            review.get("dismiss_stale", True),
        ),
        raw=value,
    )


def _money(value: dict[str, Any], loaded: Loaded, file: str) -> Money:
    """`currency` and `exchange_rates`, every code checked against ISO 4217 (the schema checks shapes)."""
    codes: list[tuple[tuple[str | int, ...], str]] = []
    if "currency" in value:
        codes.append((("currency",), value["currency"]))
    rates = (value.get("exchange_rates") or {}).get("rates") or {}
    codes += [(("exchange_rates", "rates", code), code) for code in rates]
    for index, rule in enumerate(value["review"]["rules"]):
        limit = rule["when"].get("annual_cost_over")
        if isinstance(limit, dict):
            codes.append((("review", "rules", index, "when", "annual_cost_over", "currency"), limit["currency"]))
    for path, code in codes:
        problem = currency_problem(code)
        if problem is not None:
            line, column = loaded.where(path)
            raise ConfigError(problem, file=file, line=line, column=column)
    try:
        money = Money.from_organisation(value, loaded.where(("exchange_rates", "as_of")))
    except ValueError:  # the schema checks the shape of the date, not that the day exists
        line, column = loaded.where(("exchange_rates", "as_of"))
        raise ConfigError(
            f"exchange_rates.as_of {value['exchange_rates']['as_of']!r} is not a date",
            file=file,
            line=line,
            column=column,
            hint="Write the day the rates are from as YYYY-MM-DD.",
        ) from None
    for index, rule in enumerate(value["review"]["rules"]):
        limit = threshold(rule["when"].get("annual_cost_over"), money)
        if limit is not None and money.rate(limit.currency) is None:
            line, column = loaded.where(("review", "rules", index, "when", "annual_cost_over", "currency"))
            raise ConfigError(
                f"review rule {rule['name']!r} sets its threshold in {limit.currency}, and there is "
                f"{money.missing_rate(limit.currency)}",
                file=file,
                line=line,
                column=column,
                hint=f"Add {limit.currency} under exchange_rates.rates, or write the threshold in {money.currency}.",
            )
    return money


def load_organization(source: Source) -> Organization:
    if not source.exists(ORG_FILE):
        raise ConfigError(
            f"there is no {ORG_FILE} in the {source.label}",
            hint="Run martechgate in a governance repo, or start one with `martechgate init DIR`.",
        )
    file = source.read(ORG_FILE)
    if file.data is None:
        raise ConfigError(file.refused.message if file.refused else "unreadable", file=ORG_FILE)
    return parse_organization(file.data)
