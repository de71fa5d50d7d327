"""`martechgate review` on both its inputs: a reviews file offline, or a pull request on GitHub.

Offline, the caller names the base, head, author and reviews. On GitHub, the pull request says
them: this module fetches it (through github.py), checks that the local clone holds the same
change, resolves the teams the applicable rules need, judges, and sets the one commit status.
Either way the rules come from the base branch as it is now (ChangeSet.rules), never from the change.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

from martechgate.check.model import get
from martechgate.check.organisation import load_organization
from martechgate.errors import ExternalServiceError, MartechgateError, RepoError, UsageError
from martechgate.gate import review
from martechgate.gate.applicable import rules_for_change
from martechgate.sources import changes
from martechgate.sources.github import ActionsContext, GitHubClient, status_context

MAX_REVIEWS_BYTES = 20 * 1024 * 1024


def read_reviews(path: str) -> list[review.Review]:
    """A reviews file: the JSON list GitHub's "list reviews for a pull request" returns."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_REVIEWS_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read the reviews file {path}: {error.strerror}") from None
    if len(raw) > MAX_REVIEWS_BYTES:
        raise UsageError(f"the reviews file {path} is over {MAX_REVIEWS_BYTES:,} bytes")
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(
            f"the reviews file {path} is not JSON ({error})",
            hint="Save what `gh api repos/OWNER/REPO/pulls/N/reviews` prints.",
        ) from None
    return review.parse_reviews(payload, path)


def review_offline(
    repo: str | os.PathLike[str], base: str, head: str | None, reviews_file: str, author: str
) -> review.Verdict:
    reviews = read_reviews(reviews_file)
    changeset = changes.compute(repo, base, head or "HEAD")
    return review.evaluate(load_organization(changeset.rules), changeset, reviews, author)


def _text(pull: dict[str, Any], *keys: str) -> str:
    value = get(pull, *keys)
    if not isinstance(value, str) or not value:
        raise ExternalServiceError(
            f"GitHub's pull request has no {'.'.join(keys)}",
            hint="The API answered in a shape martechgate does not know.",
        )
    return value


def status_description(verdict: review.Verdict) -> str:
    """At most 140 characters, what a reviewer sees beside the check."""
    if verdict.approved:
        satisfied = len(verdict.rules)
        return f"Approved: {satisfied} review rule{'s' * (satisfied != 1)} satisfied"
    waiting = []
    for rule in verdict.rules:
        if rule.blocked_by:
            waiting.append(f"{rule.name} (changes requested)")
        elif not rule.satisfied:
            groups = sorted({seat.group for seat in rule.seats if seat.reviewer is None})
            waiting.append(f"{rule.name} ({', '.join(groups)})")
    text = "Waiting for " + "; ".join(waiting)
    return text if len(text) <= 140 else text[:139] + "…"


def _check_same_change(changeset: changes.ChangeSet, files: list[dict[str, Any]], number: int) -> None:
    """Refuse to judge when the local diff is not the pull request's (a shallow or stale clone)."""
    if len(files) >= 3000:  # GitHub lists at most 3000 files: a partial list proves nothing
        return
    prefix = changeset.base.prefix
    remote = {
        name[len(prefix) :]
        for item in files
        for name in (item.get("filename"), item.get("previous_filename"))
        if isinstance(name, str) and name.startswith(prefix)
    }
    local = changeset.touched()
    if remote != local:
        only_remote = ", ".join(sorted(remote - local)[:5]) or "none"
        only_local = ", ".join(sorted(local - remote)[:5]) or "none"
        raise RepoError(
            f"the local diff is not pull request #{number}'s (only on GitHub: {only_remote}; only here: {only_local})",
            hint="Check out the pull request with its full history (actions/checkout with "
            "fetch-depth: 0) so the merge base is the one GitHub uses.",
        )


def review_on_github(
    repo: str | os.PathLike[str],
    context: ActionsContext,
    *,
    base: str | None = None,
    head: str | None = None,
    client: GitHubClient | None = None,
) -> review.Verdict:
    """Judge the pull request of a GitHub Actions run, and set its commit status.

    The head judged is the one the event names (what the run checked out), so a run that a newer
    push overtook judges and marks only its own, older commit, never the newer one. The rules are the
    base branch's as GitHub has it now (its tip), which the clone must hold: a policy merged there
    since the run was queued judges the change too. The status names the base branch, so one head in
    two pull requests gets a verdict per target.
    """
    client = client or GitHubClient(context.api_url, context.token)
    pull = client.pull_request(context.repository, context.number)
    author = _text(pull, "user", "login")
    current_head = _text(pull, "head", "sha")
    branch = _text(pull, "base", "ref")
    status = status_context(branch)
    judged = head or context.head_sha or current_head
    status_sha = judged if head is None else None
    try:
        changeset = changes.compute(repo, base or client.branch_head(context.repository, branch), judged)
        if base is None and judged == current_head:  # GitHub's file list is of the current head
            _check_same_change(changeset, client.pull_request_files(context.repository, context.number), context.number)
        organization = load_organization(changeset.rules)
        applied = rules_for_change(organization, changeset)
        needed = {group for item in applied for group in item.rule.require}
        teams = {}
        for group in sorted(needed):
            team = organization.groups[group].github_team
            if team and team not in teams:
                teams[team] = client.team_members(team)
        payload = client.reviews(context.repository, context.number)
        try:
            reviews = review.parse_reviews(payload, f"the reviews of pull request #{context.number}")
        except UsageError as error:
            raise ExternalServiceError(f"GitHub's answer is not as documented: {error.message}") from None
        verdict = review.evaluate(organization, changeset, reviews, author, teams=teams, applied=applied)
    except MartechgateError as error:
        _report_error(client, context, status_sha, status, error)
        raise
    if status_sha is not None:
        client.set_status(
            context.repository,
            status_sha,
            "success" if verdict.approved else "failure",
            status_description(verdict),
            context.run_url,
            context=status,
        )
    return verdict


def _report_error(
    client: GitHubClient, context: ActionsContext, sha: str | None, status: str, error: MartechgateError
) -> None:
    """Mark the head "error", so an earlier success on the same commit cannot stand; best effort."""
    if sha is None:
        return
    with contextlib.suppress(ExternalServiceError):  # the original error is what the user must see
        client.set_status(
            context.repository, sha, "error", f"Could not decide: {error.message}", context.run_url, context=status
        )
