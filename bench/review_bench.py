"""How long `martechgate review` takes to judge a large pull request (prints figures; asserts nothing).

Builds a governance repo in a temporary folder: the project's organisation file and policies on
main, and a branch changing ENTRIES catalog entries over two commits. Reviews: every group member
approves the first commit (so dismiss_stale must diff each approval against the head), plus
REVIEWERS team members. Usage: python bench/review_bench.py [ENTRIES] [REVIEWERS]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from martechgate.check.organisation import load_organization  # noqa: E402
from martechgate.gate import review  # noqa: E402
from martechgate.sources import changes  # noqa: E402


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    reviewers = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / "gov"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        git(repo, "config", "user.email", "b@example.com")
        git(repo, "config", "user.name", "Bench")
        shutil.copy(ROOT / "martechgate.yaml", repo / "martechgate.yaml")
        shutil.copytree(ROOT / "policies", repo / "policies")
        (repo / "catalog").mkdir()
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "start")
        git(repo, "checkout", "-qb", "pr")
        template = yaml.safe_load(
            (ROOT / "catalog" / sorted(p.name for p in (ROOT / "catalog").iterdir())[0]).read_text()
        )
        for n in range(entries):
            (repo / "catalog" / f"tool-{n}.yaml").write_text(yaml.safe_dump({**template, "id": f"tool-{n}"}))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "many tools")
        first = git(repo, "rev-parse", "HEAD")
        for n in range(0, entries, 10):
            (repo / "catalog" / f"tool-{n}.yaml").write_text(
                yaml.safe_dump({**template, "id": f"tool-{n}", "purpose": "edited"})
            )
        git(repo, "commit", "-qam", "edit a tenth")
        head = git(repo, "rev-parse", "HEAD")

        members = ["alice-chen", "bob-okafor", "carol-diaz", "dan-kowalski", "erin-walsh", "frank-mueller", "grace-lee"]
        team = [f"team-member-{n}" for n in range(reviewers)]
        reviews = [review.Review(login, review.APPROVED, first) for login in members]
        reviews += [review.Review(login, review.APPROVED, head) for login in team]
        teams = {"acme/marketing-ops": team[::2], "acme/it-architecture": team[1::2]}

        started = time.perf_counter()
        changeset = changes.compute(repo, "main", "pr")
        computed = time.perf_counter()
        organization = load_organization(changeset.base)
        applied = review.applicable_rules(organization, changeset)
        ruled = time.perf_counter()
        verdict = review.evaluate(organization, changeset, reviews, "mallory", teams=teams, applied=applied)
        judged = time.perf_counter()
        seats = sum(len(rule.seats) for rule in verdict.rules)
        print(
            f"entries changed: {entries}, reviews: {len(reviews)}, rules applied: {len(applied)}, "
            f"seats: {seats}, approved: {verdict.approved}"
        )
        print(f"change set (git diff):       {1000 * (computed - started):8.1f} ms")
        print(f"applicable rules:            {1000 * (ruled - computed):8.1f} ms")
        print(f"evaluate (matching, stale diffs): {1000 * (judged - ruled):8.1f} ms")
        print(f"total:                       {1000 * (judged - started):8.1f} ms")


if __name__ == "__main__":
    main()
