"""Helpers for approval-record tests: a real CI signing key (ssh-keygen, ed25519), the allowed signers
committed to a governance repo, pull requests merged with real merge commits, and their verdicts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from martechgate.audit.history import Git
from martechgate.audit.records import Record, SigningKey, write
from tests.conftest import GovRepo

# The shape of `martechgate review --format json` rules (review.Verdict.to_dict).
JOINT = {
    "name": "joint-cmo-cio",
    "satisfied": True,
    "required": {"marketing": 1, "it": 1},
    "seats": [{"group": "marketing", "reviewer": "alice-chen"}, {"group": "it", "reviewer": "carol-diaz"}],
}
GOVERNANCE = {
    "name": "governance-change",
    "satisfied": True,
    "required": {"it": 1, "security": 1},
    "seats": [{"group": "it", "reviewer": "carol-diaz"}, {"group": "security", "reviewer": "erin-okafor"}],
}


def make_key(folder: Path, principal: str = "martechgate-ci") -> SigningKey:
    """A new ed25519 key pair in `folder` (no passphrase), as CI would hold it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", str(path)], check=True)
    return SigningKey(path, principal)


def allowed_line(key: SigningKey) -> str:
    public = key.path.with_suffix(".pub").read_text().strip()
    return f'{key.principal} namespaces="martechgate-record" {public}\n'


def allow(gov: GovRepo, *keys: SigningKey, when: str = "2026-04-01T10:00:00+00:00") -> str:
    """Commit the allowed signers (as when records are adopted): the base of every later merge."""
    gov.write(".martechgate/allowed_signers", "".join(allowed_line(k) for k in keys))
    return gov.commit("Allow CI to sign approval records", when=when)


def verdict(base: str, head: str, *rules: dict[str, Any], author: str = "mia", approved: bool = True) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "approved": approved,
        "author": author,
        "base": base,
        "head": head,
        "rules": list(rules),
        "reviewers": [],
    }


def open_pr(gov: GovRepo, tool: str, when: str, branch: str | None = None) -> tuple[str, str]:
    """A branch adding catalog/<tool>.yaml, cut from main: (base, head)."""
    base = gov.git("rev-parse", "main")
    gov.git("checkout", "-q", "-b", branch or f"add-{tool}", "main")
    gov.add_entry(tool)
    head = gov.commit(f"Add {tool}", when=when, author="Mia <mia@example.com>")
    gov.git("checkout", "-q", "main")
    return base, head


def merge(gov: GovRepo, number: int, branch: str, when: str) -> str:
    message = f"Merge pull request #{number} from acme/{branch}"
    gov.git("merge", "-q", "--no-ff", branch, "-m", message, date_text=when)
    return gov.git("rev-parse", "HEAD")


def merge_pr(gov: GovRepo, number: int, tool: str, when: str) -> tuple[str, dict[str, Any]]:
    """Open and merge a pull request adding `tool`: the merge commit and its joint-approval verdict."""
    base, head = open_pr(gov, tool, when)
    return merge(gov, number, f"add-{tool}", when), verdict(base, head, JOINT)


def record(gov: GovRepo, sha: str, judged: dict[str, Any], key: SigningKey, **options: Any) -> Record:
    return write(Git(gov.path), sha, judged, key, **options)


def adopt(gov: GovRepo, key: SigningKey) -> Record:
    """Records adopted: the allowed signers committed, then PR #1 merged and recorded (the first record)."""
    allow(gov, key)
    merged, judged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    return record(gov, merged, judged, key)


def put_note(gov: GovRepo, sha: str, text: str) -> None:
    """What someone who can push refs/notes/martechgate can do: write any note on any commit."""
    gov.git("notes", "--ref=refs/notes/martechgate", "add", "-f", "-m", text, sha)


def note_of(gov: GovRepo, sha: str) -> str:
    return gov.git("notes", "--ref=refs/notes/martechgate", "show", sha)


def verify_json(
    run_cli: Any, gov: GovRepo, first: Record, *extra: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """`martechgate verify --format json` from the pinned first record: exit code and report."""
    result = run_cli(
        "verify", "--repo", str(gov.path), "--first-record", first.hash, "--format", "json", *extra, env=env
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {"stderr": result.stderr}


def kinds(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["kind"], p["commit"]) for p in report["problems"]}
