"""`martechgate record` and `martechgate verify`: approval records as git notes, pushed without loss,
and main's history checked against them."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from martechgate.audit.history import Git
from martechgate.audit.records import NOTES_REF, push, read_all, verify, write
from martechgate.errors import RepoError, UsageError
from tests.conftest import SRC, GovRepo, dump, entry

# The shape of `martechgate review --format json` rules (review.Verdict.to_dict).
JOINT = {
    "name": "joint-cmo-cio",
    "satisfied": True,
    "required": {"marketing": 1, "it": 1},
    "seats": [{"group": "marketing", "reviewer": "alice-chen"}, {"group": "it", "reviewer": "carol-diaz"}],
}


def verdict(*rules: dict[str, Any], author: str = "mia", approved: bool = True) -> dict[str, Any]:
    return {"approved": approved, "author": author, "rules": list(rules), "reviews": [101, 102]}


def merge_pr(gov: GovRepo, number: int, tool: str, when: str) -> str:
    gov.git("checkout", "-q", "-b", f"add-{tool}")
    gov.add_entry(tool)
    gov.commit(f"Add {tool}", when=when, author="Mia <mia@example.com>")
    gov.git("checkout", "-q", "main")
    message = f"Merge pull request #{number} from acme/add-{tool}"
    gov.git("merge", "-q", "--no-ff", f"add-{tool}", "-m", message, date_text=when)
    return gov.git("rev-parse", "HEAD")


@pytest.fixture
def origin(gov: GovRepo, tmp_path: Path) -> Path:
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    gov.git("remote", "add", "origin", str(bare))
    return bare


def clone(origin: Path, where: Path) -> Git:
    subprocess.run(["git", "clone", "-q", str(origin), str(where)], check=True)
    return Git(where)


def test_record_writes_a_note_with_verdict_policy_hash_and_check(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    merge = merge_pr(gov, 7, "canva", "2026-05-01T10:00:00+00:00")
    verdict_file = tmp_path / "verdict.json"
    verdict_file.write_text(json.dumps(verdict(JOINT)))
    result = run_cli("record", "--repo", str(gov.path), "--verdict", str(verdict_file))
    assert result.returncode == 0, result.stderr
    note = json.loads(gov.git("notes", f"--ref={NOTES_REF}", "show", merge))
    assert note["schema_version"] == 1 and note["merge_commit"] == merge
    assert note["pull_request"] == 7
    assert note["head_commit"] == gov.git("rev-parse", "HEAD^2")
    assert note["first_parent"] == gov.git("rev-parse", "HEAD^1")
    assert len(note["policy_pack"]["sha256"]) == 64 and note["policy_pack"]["files"] == 20
    assert note["check"]["passed"] is True and note["check"]["entries"] == 1
    assert note["verdict"]["rules"][0]["seats"][0]["reviewer"] == "alice-chen"
    # the same policy pack hashes the same; a changed policy does not
    gov.write(
        "policies/pii-requires-sso.yaml",
        gov.path.joinpath("policies/pii-requires-sso.yaml").read_text().replace("severity: high", "severity: low"),
    )
    gov.commit("Soften a policy", when="2026-05-02T10:00:00+00:00")
    again = write(Git(gov.path), "HEAD", verdict(JOINT))
    assert again.data["policy_pack"]["sha256"] == note["policy_pack"]["sha256"]  # first parent: old pack
    gov.commit("Another", when="2026-05-03T10:00:00+00:00")
    later = write(Git(gov.path), "HEAD", verdict(JOINT))
    assert later.data["policy_pack"]["sha256"] != note["policy_pack"]["sha256"]


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"rules": []},
        {"approved": True, "rules": [{"seats": []}]},
        {"approved": True, "rules": [{"name": "x", "seats": "alice"}]},
        {"approved": True, "rules": [{"name": "x", "seats": [{"reviewer": "a"}]}]},
    ],
)
def test_a_malformed_verdict_is_refused(gov: GovRepo, bad: Any) -> None:
    with pytest.raises(UsageError):
        write(Git(gov.path), "HEAD", bad)
    assert not read_all(Git(gov.path))


def test_verdict_that_is_not_json(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "v.json"
    path.write_text("{not json")
    result = run_cli("record", "--repo", str(gov.path), "--verdict", str(path))
    assert result.returncode == 2 and "is not JSON" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_two_records_pushed_at_once_both_land(gov: GovRepo, origin: Path, tmp_path: Path) -> None:
    first = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    second = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    gov.git("push", "-q", "origin", "main")
    # an earlier record already on the remote, so both runners must merge with it too
    write(Git(gov.path), gov.git("rev-parse", "HEAD~2"), verdict(JOINT))
    push(Git(gov.path), "origin")
    for round_number in range(3):
        clones = [clone(origin, tmp_path / f"ci-{round_number}-{i}") for i in range(2)]
        for runner, sha in zip(clones, (first, second), strict=True):
            write(runner, sha, verdict(JOINT, author=f"round-{round_number}"))
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(runner: Git, barrier: threading.Barrier = barrier, errors: list[BaseException] = errors) -> None:
            try:
                barrier.wait()
                push(runner, "origin")
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=run, args=(runner,)) for runner in clones]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
    check = clone(origin, tmp_path / "auditor")
    check.run("fetch", "-q", "origin", f"{NOTES_REF}:{NOTES_REF}")
    found = read_all(check)
    assert len(found[first]) == 3 and len(found[second]) == 3
    assert {r.verdict["author"] for r in found[first]} == {"round-0", "round-1", "round-2"}
    assert len(found[gov.git("rev-parse", "HEAD~2")]) == 1


@pytest.mark.slow
def test_two_record_processes_at_once(gov: GovRepo, origin: Path, tmp_path: Path, run_cli: Any) -> None:
    first = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    second = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    gov.git("push", "-q", "origin", "main")
    verdict_file = tmp_path / "verdict.json"
    verdict_file.write_text(json.dumps(verdict(JOINT)))
    clones = [clone(origin, tmp_path / f"runner-{i}") for i in range(2)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "martechgate",
                "record",
                "--repo",
                str(runner.path),
                "--commit",
                sha,
                "--verdict",
                str(verdict_file),
                "--push",
            ],
            env={**__import__("os").environ, "PYTHONPATH": str(SRC)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for runner, sha in zip(clones, (first, second), strict=True)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    check = clone(origin, tmp_path / "auditor")
    check.run("fetch", "-q", "origin", f"{NOTES_REF}:{NOTES_REF}")
    assert set(read_all(check)) == {first, second}


def test_push_to_a_remote_that_refuses_is_an_error_with_a_hint(gov: GovRepo, tmp_path: Path) -> None:
    gov.git("remote", "add", "origin", str(tmp_path / "nowhere"))
    write(Git(gov.path), "HEAD", verdict(JOINT))
    with pytest.raises(RepoError, match="cannot reach the remote 'origin'"):
        push(Git(gov.path), "origin", attempts=2)


# ----- verify ------------------------------------------------------------------------------------


def recorded_history(gov: GovRepo) -> dict[str, str]:
    """PR #1 recorded properly; a direct push; PR #3 recorded with approvals that do not satisfy the rules."""
    shas = {"pr1": merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")}
    write(Git(gov.path), shas["pr1"], verdict(JOINT))
    gov.add_entry("zoom")
    shas["direct"] = gov.commit(
        "Add zoom quickly", when="2026-05-02T10:00:00+00:00", author="Admin <admin@example.com>"
    )
    shas["pr3"] = merge_pr(gov, 3, "figma", "2026-05-03T10:00:00+00:00")
    weak = {
        "name": "joint-cmo-cio",
        "seats": [
            {"group": "marketing", "reviewer": "mia"},  # the author
            {"group": "it", "reviewer": None},
        ],
    }  # open
    extra = {
        "name": "high-risk",
        "seats": [
            {"group": "security", "reviewer": "mallory"},  # not in the security group
            {"group": "security", "reviewer": "alice-chen"},
        ],
    }
    also = {"name": "new-exception", "seats": [{"group": "marketing", "reviewer": "alice-chen"}]}
    write(Git(gov.path), shas["pr3"], verdict(weak, extra, also))
    return shas


def test_verify_reports_each_problem_located(gov: GovRepo) -> None:
    shas = recorded_history(gov)
    result = verify(Git(gov.path), since=None)
    by_commit: dict[str, list[str]] = {}
    for problem in result.problems:
        by_commit.setdefault(problem.commit, []).append(f"{problem.kind}: {problem.message}")
    start = gov.git("rev-list", "--max-parents=0", "HEAD")
    assert set(by_commit) == {start, shas["direct"], shas["pr3"]}
    assert by_commit[shas["direct"]] == [
        "unrecorded: changed catalog/zoom.yaml with no approval record (a direct push, or a merge that bypassed review)"
    ]
    pr3 = "\n".join(by_commit[shas["pr3"]])
    assert "mallory counted for security in rule high-risk but is not a member of security" in pr3
    assert "mia approved their own change" in pr3
    assert "rule joint-cmo-cio needs 1 approval(s) from marketing, the record has 0" in pr3
    assert "rule joint-cmo-cio needs 1 approval(s) from it, the record has 0" in pr3
    assert "alice-chen counted for security in rule high-risk but is not a member" in pr3
    assert "rule new-exception needs 1 approval(s) from security, the record has 0" in pr3
    direct = next(p for p in result.problems if p.commit == shas["direct"])
    assert direct.author == "Admin <admin@example.com>" and direct.date == "2026-05-02T10:00:00+00:00"
    assert "martechgate record --commit" in direct.remedy


def test_verify_since_and_a_clean_history(gov: GovRepo, run_cli: Any) -> None:
    shas = {"pr1": merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")}
    write(Git(gov.path), shas["pr1"], verdict(JOINT))
    result = run_cli("verify", "--repo", str(gov.path), "--since", "2026-04-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verified 1 governance changes" in result.stdout and "No problems." in result.stdout


def test_a_governance_change_needs_its_own_rule(gov: GovRepo) -> None:
    gov.git("checkout", "-q", "-b", "policy")
    gov.write(
        "policies/pii-requires-sso.yaml",
        gov.path.joinpath("policies/pii-requires-sso.yaml").read_text().replace("severity: high", "severity: low"),
    )
    gov.commit("Soften", when="2026-05-01T09:00:00+00:00")
    gov.git("checkout", "-q", "main")
    gov.git(
        "merge",
        "-q",
        "--no-ff",
        "policy",
        "-m",
        "Merge pull request #9 from acme/policy",
        date_text="2026-05-01T10:00:00+00:00",
    )
    write(Git(gov.path), "HEAD", verdict(JOINT))
    problems = [p.message for p in verify(Git(gov.path), since=None).problems if p.kind != "unrecorded"]
    assert problems == ["rule governance-change applied to this change but is not in the record"]


@pytest.mark.slow
def test_verify_detects_rewritten_history(gov: GovRepo, origin: Path, run_cli: Any) -> None:
    shas = {"pr1": merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")}
    write(Git(gov.path), shas["pr1"], verdict(JOINT))
    shas["pr2"] = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    write(Git(gov.path), shas["pr2"], verdict(JOINT))
    gov.git("push", "-q", "origin", "main")
    # someone resets main past the recorded merge and force-pushes a different change
    gov.git("reset", "-q", "--hard", shas["pr1"])
    gov.add_entry("figma")
    replaced = gov.commit("Add figma (#2)", when="2026-05-02T11:00:00+00:00")
    gov.git("push", "-q", "--force", "origin", "main")
    result = run_cli("verify", "--repo", str(gov.path), "--since", "2026-04-01", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    kinds = {(p["kind"], p["commit"]) for p in document["problems"]}
    assert kinds == {("rewritten", shas["pr2"]), ("unrecorded", replaced)}
    text = run_cli("verify", "--repo", str(gov.path), "--since", "2026-04-01").stdout
    assert "no longer on main's first-parent history" in text and "What to do:" in text


def test_rules_that_applied_by_the_entry_must_be_in_the_record(gov: GovRepo) -> None:
    pii = {
        "classification": "confidential",
        "categories": ["contact-pii"],
        "subjects": ["prospects"],
        "residency": ["US"],
        "transfer_mechanism": "none",
        "retention_days": 365,
    }
    gov.git("checkout", "-q", "-b", "big")
    data = entry("bigtool", data=pii)
    data["contract"]["annual_cost"] = 90000
    gov.write("catalog/bigtool.yaml", dump(data))
    gov.commit("Add bigtool", when="2026-05-01T09:00:00+00:00")
    gov.git("checkout", "-q", "main")
    gov.git(
        "merge",
        "-q",
        "--no-ff",
        "big",
        "-m",
        "Merge pull request #4 from acme/big",
        date_text="2026-05-01T10:00:00+00:00",
    )
    privacy = {"name": "personal-data", "seats": [{"group": "privacy", "reviewer": "frank-mueller"}]}
    write(Git(gov.path), "HEAD", verdict(JOINT, privacy))
    problems = [p.message for p in verify(Git(gov.path), since=None).problems if p.kind != "unrecorded"]
    # 90,000 a year with personal data: the computed tier is high, so security must approve too
    assert problems == [
        "rule high-risk applied to this change but is not in the record",
        "rule big-spend applied to this change but is not in the record",
    ]


def test_verify_detects_a_recorded_commit_that_no_longer_exists(gov: GovRepo) -> None:
    merged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    write(Git(gov.path), merged, verdict(JOINT))
    gov.git("reset", "-q", "--hard", "HEAD~1")
    gov.git("branch", "-q", "-D", "add-canva")
    gov.git("reflog", "expire", "--expire=now", "--all")
    gov.git("gc", "-q", "--prune=now")
    assert Git(gov.path).attempt("cat-file", "-e", merged).returncode != 0  # really gone
    problems = verify(Git(gov.path), since=None).problems
    gone = [p for p in problems if p.commit == merged]
    assert [p.kind for p in gone] == ["rewritten"]
    assert "no longer exists" in gone[0].message


@pytest.mark.slow
def test_review_record_verify_end_to_end(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    """The verdict `martechgate review --format json` prints is what `record` stores and `verify` re-checks."""
    gov.git("checkout", "-q", "-b", "add-canva")
    gov.add_entry("canva")
    head = gov.commit("Add canva", when="2026-05-01T09:00:00+00:00", author="Mia <mia@example.com>")
    reviews = tmp_path / "reviews.json"
    reviews.write_text(
        json.dumps(
            [
                {
                    "user": {"login": login},
                    "state": "APPROVED",
                    "commit_id": head,
                    "submitted_at": "2026-05-01T09:30:00Z",
                }
                for login in ("alice-chen", "carol-diaz")
            ]
        )
    )
    judged = run_cli(
        "review",
        str(gov.path),
        "--base",
        "main",
        "--head",
        "add-canva",
        "--reviews",
        str(reviews),
        "--author",
        "mia",
        "--format",
        "json",
    )
    assert judged.returncode == 0, judged.stdout + judged.stderr
    verdict_file = tmp_path / "verdict.json"
    verdict_file.write_text(judged.stdout)
    gov.git("checkout", "-q", "main")
    gov.git(
        "merge",
        "-q",
        "--no-ff",
        "add-canva",
        "-m",
        "Merge pull request #7 from acme/add-canva",
        date_text="2026-05-01T10:00:00+00:00",
    )
    recorded = run_cli("record", "--repo", str(gov.path), "--verdict", str(verdict_file))
    assert recorded.returncode == 0, recorded.stderr
    note = read_all(Git(gov.path))[gov.git("rev-parse", "HEAD")][0].data
    assert note["head_commit"] == head and note["pull_request"] == 7
    verified = run_cli("verify", "--repo", str(gov.path), "--since", "2026-05-01")
    assert verified.returncode == 0, verified.stdout
    audit = json.loads(
        run_cli(
            "audit", "--since", "2026-05-01", "--until", "2026-05-01", "--repo", str(gov.path), "--format", "json"
        ).stdout
    )
    assert audit["events"][0]["approvers"] == "joint-cmo-cio: alice-chen (marketing), carol-diaz (it)"


def test_the_latest_record_of_a_commit_counts_not_the_last_line(gov: GovRepo) -> None:
    """A notes merge sorts a note's lines, so the latest record is found by its time, not its place."""
    merged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    write(Git(gov.path), merged, verdict(JOINT), now=datetime(2026, 5, 2, tzinfo=UTC))
    write(Git(gov.path), merged, verdict(JOINT, approved=False), now=datetime(2026, 5, 1, tzinfo=UTC))
    assert len(read_all(Git(gov.path))[merged]) == 2
    assert verify(Git(gov.path), since=date(2026, 5, 1)).problems == []
