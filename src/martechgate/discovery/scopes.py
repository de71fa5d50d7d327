"""OAuth scopes broad enough that a security reviewer wants to see them: a tool granted one of these by
a user, outside any review, can read or change far more than its purpose needs.
"""

from __future__ import annotations

import re

# (pattern, why) - matched against the whole scope, case-insensitively.
BROAD_SCOPES: tuple[tuple[str, str], ...] = (
    (r"https://mail\.google\.com/?", "full Gmail access"),
    (
        r"https://www\.googleapis\.com/auth/gmail\.(?:modify|readonly|compose|insert|metadata|settings\.\w+)",
        "reads or changes Gmail",
    ),
    (r"https://www\.googleapis\.com/auth/drive(?:\.readonly)?", "all Google Drive files"),
    (r"https://www\.googleapis\.com/auth/admin\..+", "Google Workspace admin"),
    (r"https://www\.googleapis\.com/auth/cloud-platform", "full Google Cloud access"),
    (r"https://www\.googleapis\.com/auth/(?:calendar|contacts|directory\.readonly)", "all calendars or contacts"),
    (r"https://www\.googleapis\.com/auth/spreadsheets", "all Google Sheets"),
    (r"(?:https://graph\.microsoft\.com/)?(?:Mail\.ReadWrite|Mail\.Read|Mail\.Send)(?:\.All)?", "reads or sends mail"),
    (r"(?:https://graph\.microsoft\.com/)?(?:Files|Sites)\.(?:Read|ReadWrite)\.All", "all files"),
    (r"(?:https://graph\.microsoft\.com/)?(?:Directory|User)\.ReadWrite\.All", "writes the directory"),
    (r"(?:https://graph\.microsoft\.com/)?Sites\.FullControl\.All", "full control of SharePoint"),
    (r"full_access_as_user|full_access_as_app", "full mailbox access"),
    (r".*(?:^|[/.:_])(?:full_access|admin|\*)$", "full-account or admin scope"),
)
_COMPILED = tuple((re.compile(pattern, re.I), why) for pattern, why in BROAD_SCOPES)


def broad(scope: str) -> str | None:
    """Why `scope` is broad, or None."""
    for pattern, why in _COMPILED:
        if pattern.fullmatch(scope):
            return why
    return None


def broad_scopes(scopes: set[str] | list[str]) -> list[str]:
    """The broad ones among `scopes`, sorted, each as `scope (why)`."""
    return [f"{scope} ({why})" for scope in sorted(scopes) if (why := broad(scope))]
