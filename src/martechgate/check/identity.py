"""One form for a person's email address, before any comparison of owners and approvers.

The rules that keep two people in a decision (owners-distinct, an owner never approves the exception on
their own tool) compare addresses. Compared as written, the same mailbox passes for another person:
`Owner@Example.com`, ` owner@example.com`, `mailto:owner@example.com`, `<owner@example.com>`,
`owner@example.com.` (a fully qualified domain) and `owner+x@example.com` (a sub-address, delivered to
`owner@example.com`) all reach the business owner. Each is brought to one canonical form here; any other
form (a display name, a quoted local part, an IP address as domain, non-ASCII text that could imitate
another address) is not an address martechgate accepts, and its callers report it where it is written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

# A dot-atom local part (RFC 5322) and a host name with at least one dot, optionally fully qualified.
_ADDRESS = re.compile(
    r"^(?P<local>[a-z0-9!#$%&'*/=?^_`{|}~+-]+(?:\.[a-z0-9!#$%&'*/=?^_`{|}~+-]+)*)"
    r"@(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63})\.?$"
)
# Anything shaped like an address inside a longer text (for a value that is no address as a whole).
# It starts where a word starts (the lookbehind): a match can start nowhere else anyway, and without it
# every position of a long word was tried again, to its end, before failing: 200,000 letters in an
# owner's field took three minutes to judge.
_EMBEDDED = re.compile(r"(?<![^\s<>@,;:\"()\[\]])[^\s<>@,;:\"()\[\]]+@[^\s<>@,;:\"()\[\]]+")

FORM = "one address such as name@example.com (no display name)"


def address_pattern_for_javascript() -> str:
    """The address pattern in JavaScript's syntax (named groups `(?<name>`), for the site's form."""
    return _ADDRESS.pattern.replace("(?P<", "(?<")


def canonical_email(value: Any) -> str | None:
    """The canonical form of an address (lower case, no `mailto:`, brackets, trailing dot or
    `+sub-address`), or None when `value` is not an address in an accepted form."""
    return _canonical(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=8192)
def _canonical(value: str) -> str | None:
    # Cached: a catalog names the same few hundred people thousands of times (twice an entry, and
    # again in every rule that compares owners).
    text = _unwrap(value.strip())
    if text[:7].lower() == "mailto:":
        text = _unwrap(text[7:].strip())
    if not text.isascii():
        return None
    found = _ADDRESS.match(text.lower())
    if found is None:
        return None
    local = found["local"].split("+", 1)[0]
    if not local or local.startswith(".") or local.endswith("."):
        return None
    return f"{local}@{found['domain']}"


def _unwrap(text: str) -> str:
    return text[1:-1].strip() if text.startswith("<") and text.endswith(">") else text


def mailboxes(value: Any) -> set[str]:
    """Every mailbox a value (or each value of a list) names: its canonical form, or, for a value in no
    accepted form, each address-like part of it. Used on the side a rule protects, so that an owner
    written oddly still counts as that owner (the odd form is reported on its own)."""
    if isinstance(value, list):
        return set().union(*(mailboxes(item) for item in value))
    canonical = canonical_email(value)
    if canonical is not None:
        return {canonical}
    if not isinstance(value, str):
        return set()
    found = {canonical_email(part.strip(".")) for part in _EMBEDDED.findall(value)}
    return {mailbox for mailbox in found if mailbox is not None}


def same_mailbox(first: Any, second: Any) -> bool:
    """Whether two values name a common mailbox."""
    return bool(mailboxes(first) & mailboxes(second))


# ----- owners: an email, a GitHub handle or team, a group of martechgate.yaml, or a name -------------

# A GitHub login (letters, digits, single dashes, at most 39) and, for a team, `org/team-slug`.
_HANDLE = re.compile(r"^@([a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38})(?:/([a-z0-9][a-z0-9_.-]{0,99}))?$", re.IGNORECASE)

OwnerKind = Literal["email", "handle", "team", "group", "name"]


def owner_values(value: Any) -> list[str]:
    """An owner role's values: one text, or each text of a list (anything else names nobody)."""
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, str)]


def owner_kind(value: str, groups: Iterable[str]) -> OwnerKind:
    """What an owner's value is: an email address, a GitHub handle (@login) or team (@org/team), a
    group of the organisation file (by its exact name), or else a name not yet resolved to any of them."""
    if canonical_email(value) is not None:
        return "email"
    found = _HANDLE.match(value.strip())
    if found is not None:
        return "team" if found[2] else "handle"
    return "group" if value.strip() in set(groups) else "name"


def owner_people(value: Any, groups: Mapping[str, Iterable[str]]) -> set[str]:
    """Every person or group an owner role names, as comparable keys: `mail:<canonical address>`,
    `gh:<login>` (a handle, or a member of a named group), `team:<org/team>`, `group:<name>`, `name:<name
    casefolded>`. `groups` maps each group of the organisation file to its members' GitHub logins."""
    keys: set[str] = set()
    for text in owner_values(value):
        kind = owner_kind(text, groups)
        if kind == "email":
            keys |= {f"mail:{mailbox}" for mailbox in mailboxes(text)}
        elif kind in ("handle", "team"):
            keys.add(("gh:" if kind == "handle" else "team:") + text.strip()[1:].lower())
        elif kind == "group":
            name = text.strip()
            keys.add(f"group:{name}")
            keys |= {f"gh:{login.lower()}" for login in groups[name]}
        else:
            keys |= {f"mail:{mailbox}" for mailbox in mailboxes(text)} or {f"name:{' '.join(text.casefold().split())}"}
    return keys
