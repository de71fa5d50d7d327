"""The bad-input corpus beyond `check`: every command, given malformed input, answers with a plain
message naming what is wrong and where, a defined exit code, no traceback, in bounded time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GovRepo

SECRET = "ghp_s3cr3tTOKENvalue000000000000000000"


@dataclass
class Case:
    name: str
    args: Callable[[GovRepo, Path], list[str]]
    code: int
    says: tuple[str, ...]
    setup: Callable[[GovRepo, Path], None] | None = None
    env: dict[str, str] = field(default_factory=dict)


def write(tmp: Path, name: str, content: str | bytes) -> str:
    path = tmp / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def on_branch(gov: GovRepo, tmp: Path) -> None:
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("canva")
    gov.commit("Propose canva")


def misspell_policy(gov: GovRepo, tmp: Path) -> None:
    path = gov.path / "policies" / "pii-requires-scim.yaml"
    text = path.read_text()
    assert "properties:" in text
    path.write_text(text.replace("properties:", "propertes:", 1))


def review(reviews: str | bytes, author: str = "mallory") -> Callable[[GovRepo, Path], list[str]]:
    return lambda gov, tmp: [
        "review",
        str(gov.path),
        "--base",
        "main",
        "--reviews",
        write(tmp, "reviews.json", reviews),
        "--author",
        author,
    ]


CASES = [
    # review: malformed GitHub payloads and missing context
    Case("review: reviews not JSON", review("{not json"), 2, ("reviews.json",), on_branch),
    Case("review: reviews not a list", review('{"state": "APPROVED"}'), 2, ("list",), on_branch),
    # GitHub sends `user: null` for a deleted account: its approval cannot count, so the gate stays shut.
    Case(
        "review: approval by a deleted user",
        review('[{"user": null, "state": "APPROVED", "commit_id": "abc"}]'),
        1,
        ("marketing: (open)",),
        on_branch,
    ),
    Case(
        "review: unknown state",
        review(
            '[{"user": {"login": "carol-diaz"}, "state": "LGTM", '
            '"commit_id": "0000000000000000000000000000000000000000"}]'
        ),
        2,
        ("LGTM",),
        on_branch,
    ),
    Case("review: binary reviews file", review(b"\x00\xff\xfe"), 2, ("reviews.json",), on_branch),
    Case(
        "review: no --author offline",
        lambda gov, tmp: ["review", str(gov.path), "--base", "main", "--reviews", write(tmp, "r.json", "[]")],
        2,
        ("--author",),
        on_branch,
    ),
    Case(
        "review: unknown base",
        lambda gov, tmp: [
            "review",
            str(gov.path),
            "--base",
            "nope",
            "--reviews",
            write(tmp, "r.json", "[]"),
            "--author",
            "m",
        ],
        2,
        ("nope",),
        on_branch,
    ),
    Case(
        "review: --github without the Actions environment",
        lambda gov, tmp: ["review", str(gov.path), "--github"],
        2,
        ("GITHUB_",),
        on_branch,
        env={"GITHUB_TOKEN": SECRET, "GITHUB_EVENT_PATH": "", "GITHUB_REPOSITORY": ""},
    ),
    Case(
        "review: --github with a malformed event",
        lambda gov, tmp: ["review", str(gov.path), "--github"],
        2,
        ("event",),
        on_branch,
        env={"GITHUB_TOKEN": SECRET, "GITHUB_REPOSITORY": "acme/governance", "GITHUB_API_URL": "http://127.0.0.1:9"},
    ),
    # reports
    Case("renewals: bad window", lambda gov, tmp: ["renewals", str(gov.path), "--within", "soon"], 2, ("soon",)),
    Case(
        "renewals: calendar into a missing folder",
        lambda gov, tmp: ["renewals", str(gov.path), "--ics", str(tmp / "no" / "such" / "dir" / "r.ics")],
        2,
        ("r.ics",),
    ),
    Case("spend: unknown grouping", lambda gov, tmp: ["spend", str(gov.path), "--by", "colour"], 2, ("colour",)),
    Case("spend: bad hourly rate", lambda gov, tmp: ["spend", str(gov.path), "--hourly-rate", "lots"], 2, ("lots",)),
    Case(
        "overlap: similarity out of range",
        lambda gov, tmp: ["overlap", str(gov.path), "--min-similarity", "7"],
        2,
        ("7",),
    ),
    Case(
        "graph: unknown revision",
        lambda gov, tmp: ["graph", str(gov.path), "--ref", "no-such-ref"],
        2,
        ("no-such-ref",),
    ),
    Case("graph: not a governance repo", lambda gov, tmp: ["graph", str(tmp)], 2, ("martechgate.yaml",)),
    # rules and starting
    Case(
        "explain: unknown rule", lambda gov, tmp: ["explain", "sso-please", "--repo", str(gov.path)], 2, ("sso-please",)
    ),
    Case("schema: unknown kind", lambda gov, tmp: ["schema", "--kind", "vendor"], 2, ("vendor",)),
    Case("init: into a file", lambda gov, tmp: ["init", write(tmp, "a-file", "x")], 2, ("a-file",)),
    Case("init: over an existing repo", lambda gov, tmp: ["init", str(gov.path)], 2, ("nothing was written",)),
    Case(
        "test: policy examples that are not entries",
        lambda gov, tmp: ["test", str(gov.path)],
        2,
        ("policies/broken.yaml",),
        lambda gov, tmp: gov.write("policies/broken.yaml", "id: broken\nexamples: {pass: [1, 2]}\n"),
    ),
    Case(
        "check: --today not a date",
        lambda gov, tmp: ["check", str(gov.path), "--today", "2026-02-30"],
        2,
        ("2026-02-30",),
    ),
    Case("check: unknown format", lambda gov, tmp: ["check", str(gov.path), "--format", "pdf"], 2, ("pdf",)),
    Case("check: repository is a file", lambda gov, tmp: ["check", write(tmp, "f.yaml", "x")], 2, ("f.yaml",)),
    Case("check: --jobs below zero", lambda gov, tmp: ["check", str(gov.path), "--jobs", "-3"], 2, ("--jobs",)),
    # a policy that would silently check nothing: every command that reads policies refuses it, located
    Case(
        "check: misspelt keyword in a policy",
        lambda gov, tmp: ["check", str(gov.path)],
        2,
        ("policies/pii-requires-scim.yaml:", "propertes", "did you mean properties?"),
        misspell_policy,
    ),
    Case(
        "rules: misspelt keyword in a policy",
        lambda gov, tmp: ["rules", "--repo", str(gov.path)],
        2,
        ("policies/pii-requires-scim.yaml:", "propertes"),
        misspell_policy,
    ),
    Case(
        "test: misspelt keyword in a policy",
        lambda gov, tmp: ["test", str(gov.path)],
        2,
        ("policies/pii-requires-scim.yaml:", "propertes"),
        misspell_policy,
    ),
    Case(
        "explain: policy file that is not YAML",
        lambda gov, tmp: ["explain", "x", "--repo", str(gov.path)],
        2,
        ("policies/broken.yaml:2:", "not valid YAML"),
        lambda gov, tmp: gov.write("policies/broken.yaml", "id: broken\ntitle: [unclosed\n"),
    ),
    Case("rules: --repo is not a folder", lambda gov, tmp: ["rules", "--repo", write(tmp, "f", "x")], 2, ("f",)),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    if case.setup:
        case.setup(gov, tmp_path)
    if "GITHUB_EVENT_PATH" not in case.env and case.env:
        case.env["GITHUB_EVENT_PATH"] = write(tmp_path, "event.json", '{"pull_request": "not an object"}')
    started = time.monotonic()
    result = run_cli(*case.args(gov, tmp_path), env=case.env)
    assert time.monotonic() - started < 60
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == case.code, output
    for words in case.says:
        assert words in output, output
    assert SECRET not in output
