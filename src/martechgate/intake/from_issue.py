"""`new --from-issue BODY --github`: a submitted "Propose a tool" issue becomes a pull request adding
the entry, and the issue gets a comment with what the checks say, who must approve, and the link.

The entry is committed on a new branch `propose/<id>`, authored by the issue's author (the history's
proposer is the person who asked) and committed by martechgate, pushed to `origin`, and proposed
into the repository's default branch with "Closes #<issue>". A body that cannot be read is answered
with a comment naming each problem and its line in the body, and nothing is committed. Everything
taken from the body is escaped before it goes into a comment or a pull request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from martechgate.check.model import Finding
from martechgate.check.money import Money
from martechgate.check.risk import computed_tier
from martechgate.errors import UsageError
from martechgate.formats.markup import escape
from martechgate.gate.applicable import AppliedRule
from martechgate.sources.git import Git
from martechgate.sources.github import MAX_BYTES, GitHubClient, RepositoryContext
from martechgate.sources.repo import CATALOG_DIR

_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$")
MARKER = "<!-- martechgate-propose -->"


@dataclass(frozen=True)
class IssueEvent:
    """The issue a GitHub Actions run on `issues` is for (from GITHUB_EVENT_PATH)."""

    number: int
    author: str
    default_branch: str

    @classmethod
    def from_file(cls, path: str) -> IssueEvent:
        try:
            with open(path, "rb") as handle:
                event = json.loads(handle.read(MAX_BYTES))
        except OSError as error:
            raise UsageError(f"cannot read the event file {path}: {error.strerror}") from None
        except ValueError:
            raise UsageError(f"the event file {path} is not JSON") from None
        issue = event.get("issue") if isinstance(event, dict) else None
        number = issue.get("number") if isinstance(issue, dict) else None
        user = issue.get("user") if isinstance(issue, dict) else None
        login = user.get("login") if isinstance(user, dict) else None
        repository = event.get("repository") if isinstance(event, dict) else None
        branch = repository.get("default_branch") if isinstance(repository, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or not isinstance(login, str):
            raise UsageError(
                f"the event in {path} is not about an issue",
                hint="Run `martechgate new --from-issue BODY --github` on `issues` events.",
            )
        if not _LOGIN.match(login):
            raise UsageError(f"the issue's author {login!r} is not a GitHub login")
        return cls(number, login, branch if isinstance(branch, str) and branch else "main")


def _findings_markdown(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["Nothing is missing: every rule and policy passes."]
    blocking = sum(1 for f in findings if f.blocking)
    lines = [
        f"**Still missing before it can be approved** ({blocking} must be fixed, {len(findings) - blocking} advice):"
    ]
    for finding in findings:
        label = "must fix" if finding.blocking else "advice"
        lines.append(f"- [{label}] {escape(finding.message)}  \n  What to do: {escape(finding.remediation)}")
    return lines


def _needs_markdown(needs: list[AppliedRule]) -> list[str]:
    if not needs:
        return []
    lines = ["", "**It will need approval from:**"]
    for applied in needs:
        groups = " and ".join(f"{count} from {escape(group)}" for group, count in applied.rule.require.items())
        lines.append(f"- {groups} (rule {escape(applied.rule.name)}: {escape(applied.reason)})")
    return lines


def report_markdown(
    entry: dict[str, Any], findings: list[Finding], needs: list[AppliedRule], overlaps: list[str], money: Money
) -> str:
    tier, reasons = computed_tier(entry, money)
    lines = [f"Risk tier: **{tier}** ({escape('; '.join(reasons))}).", ""]
    if overlaps:
        lines += ["**The catalog may already have this:**", *(f"- {escape(o)}" for o in overlaps), ""]
    lines += _findings_markdown(findings)
    lines += _needs_markdown(needs)
    return "\n".join(lines)


def refusal_comment(problems: list[str]) -> str:
    return "\n".join(
        [
            MARKER,
            "This proposal could not be turned into a catalog entry; nothing was committed. Edit the issue "
            "(the form's answers) and fix:",
            "",
            *(f"- {escape(problem)}" for problem in problems),
        ]
    )


def client_for(env: dict[str, str]) -> tuple[RepositoryContext, GitHubClient, IssueEvent]:
    context = RepositoryContext.from_environment(env, "--github")
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        raise UsageError("--github needs GITHUB_EVENT_PATH (GitHub Actions sets it on the `issues` event)")
    return context, context.client(max_retry_wait=60), IssueEvent.from_file(path)


def open_pull_request(
    repo: Path,
    context: RepositoryContext,
    client: GitHubClient,
    event: IssueEvent,
    entry: dict[str, Any],
    report: str,
) -> dict[str, Any]:
    """Commit the written entry on `propose/<id>`, push it, open the pull request, comment on the issue."""
    git = Git(repo)
    entry_id, name = str(entry["id"]), str(entry.get("name") or entry["id"])
    branch = f"propose/{entry_id}"
    path = f"{CATALOG_DIR}/{entry_id}.yaml"
    if git.attempt("rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{branch}").returncode == 0:
        raise UsageError(
            f"the branch {branch} already exists on origin: this tool has been proposed already",
            hint="Look for its open pull request, or choose another id.",
        )
    git.run("switch", "-c", branch)
    git.run("add", "--", *git.pathspec(path))
    author = f"{event.author} <{event.author}@users.noreply.github.com>"
    message = f'Propose {name} (#{event.number})\n\nFrom the "Propose a tool" issue #{event.number}.'
    git.run(
        "-c", "user.name=martechgate", "-c", "user.email=martechgate@users.noreply.github.com",
        "commit", "-q", "--author", author, "-m", message,
    )  # fmt: skip
    git.run("push", "-q", "origin", f"HEAD:refs/heads/{branch}")
    body = "\n".join(
        [
            f"Proposed by @{event.author} in #{event.number}. Closes #{event.number}.",
            "",
            report,
        ]
    )
    pull = client.create_pull(context.repository, f"Propose {name}"[:256], branch, event.default_branch, body)
    link = pull.get("html_url") or f"#{pull.get('number')}"
    client.comment(
        context.repository,
        event.number,
        "\n".join([MARKER, f"Opened {link} adding `{path}` (status: proposed).", "", report]),
    )
    return pull
