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

import re
from typing import Any

# A dot-atom local part (RFC 5322) and a host name with at least one dot, optionally fully qualified.
_ADDRESS = re.compile(
    r"^(?P<local>[a-z0-9!#$%&'*/=?^_`{|}~+-]+(?:\.[a-z0-9!#$%&'*/=?^_`{|}~+-]+)*)"
    r"@(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63})\.?$"
)
# Anything shaped like an address inside a longer text (for a value that is no address as a whole).
_EMBEDDED = re.compile(r"[^\s<>@,;:\"()\[\]]+@[^\s<>@,;:\"()\[\]]+")

FORM = "one address such as name@example.com (no display name)"


def address_pattern_for_javascript() -> str:
    """The address pattern in JavaScript's syntax (named groups `(?<name>`), for the site's form."""
    return _ADDRESS.pattern.replace("(?P<", "(?<")


def canonical_email(value: Any) -> str | None:
    """The canonical form of an address (lower case, no `mailto:`, brackets, trailing dot or
    `+sub-address`), or None when `value` is not an address in an accepted form."""
    if not isinstance(value, str):
        return None
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
    """Every mailbox a value names: its canonical form, or, for a value in no accepted form, each
    address-like part of it. Used on the side a rule protects, so that an owner written oddly still
    counts as that owner (the odd form is reported on its own)."""
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
