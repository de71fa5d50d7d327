"""The entry format's words, read from the packaged JSON Schema (schema/entry-v1.json), so the
wizard, the risk tier, the site and the rules never retype an enum the schema already holds."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A packaged JSON Schema (`entry`, `organization`, `policy`, `report`)."""
    text = resources.files("martechgate.schema").joinpath(f"{name}-v1.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _field(*path: str) -> dict[str, Any]:
    """The schema of an entry field (`"data", "categories"`); a list field gives its items'."""
    node = load_schema("entry")
    for key in path:
        node = node["properties"][key]
        if node.get("type") == "array":
            node = node["items"]
    return node


def _enum(*path: str) -> tuple[str, ...]:
    return tuple(_field(*path)["enum"])


def _policy_enum(key: str) -> tuple[str, ...]:
    return tuple(load_schema("policy")["properties"][key]["enum"])


STATUSES = _enum("status")
RISK_TIERS = _enum("review", "risk_tier")  # lowest first: the order ranks them
CLASSIFICATIONS = _enum("data", "classification")
DATA_CATEGORIES = _enum("data", "categories")
# every category that is data about people ("unknown" may or may not be: risk.py assumes the worst)
PERSONAL = frozenset(DATA_CATEGORIES) - {"none", "unknown"}
TRANSFER_MECHANISMS = _enum("data", "transfer_mechanism")
SSO = _enum("security", "sso")
MFA = _enum("security", "mfa")
PAYMENTS = _enum("contract", "payment")
DIRECTIONS = _enum("integrations", "direction")
METHODS = _enum("integrations", "method")

SEVERITIES = _policy_enum("severity")  # of a policy and a built-in rule, most severe first
ENFORCEMENTS = _policy_enum("enforcement")

ID_PATTERN = re.compile(_field("id")["pattern"])
# The first line of every entry martechgate writes: editors with the YAML language server then
# complete and check the entry against the schema.
MODELINE = f"# yaml-language-server: $schema={load_schema('entry')['$id']}"
