"""martechgate.yaml: the organisation's categories, reviewer groups and review rules."""

from __future__ import annotations

from martechgate.check import schemas
from martechgate.check.model import Group, Organization, ReviewRule, ReviewSettings
from martechgate.errors import ConfigError
from martechgate.sources.repo import ORG_FILE, Source
from martechgate.sources.yamlload import load_bytes


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
