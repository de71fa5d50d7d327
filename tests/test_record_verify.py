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
from martechgate.audit.records import NOTES_REF, SigningKey, publish, read_all, record_hash, verify, write
from martechgate.errors import RepoError, UsageError
from tests.conftest import SRC, GovRepo, dump, entry
from tests.recording import JOINT, allow, merge, merge_pr, open_pr, record, verdict


@pytest.fixture
def origin(gov: GovRepo, tmp_path: Path) -> Path:
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    gov.git("remote", "add", "origin", str(bare))
    return bare


def clone(origin: Path, where: Path) -> Git:
    subprocess.run(["git", "clone", "-q", str(origin), str(where)], check=True)
    return Git(where)


def key_env(key: SigningKey) -> dict[str, str]:
    return {"MARTECHGATE_SIGNING_KEY": key.path.read_text()}


def test_record_writes_a_signed_note_with_binding_policy_hash_and_check(
    gov: GovRepo, tmp_path: Path, run_cli: Any, ci_key: SigningKey
) -> None:
    allow(gov, ci_key)
    merged, judged = merge_pr(gov, 7, "canva", "2026-05-01T10:00:00+00:00")
    verdict_file = tmp_path / "verdict.json"
    verdict_file.write_text(json.dumps(judged))
    # the key's text in the environment, as a CI secret is given
    result = run_cli("record", "--repo", str(gov.path), "--verdict", str(verdict_file), env=key_env(ci_key))
    assert result.returncode == 0, result.stderr
    assert "record 0" in result.stdout
    note = json.loads(gov.git("notes", f"--ref={NOTES_REF}", "show", merged))
    data = note["record"]
    assert note["signature"].startswith("-----BEGIN SSH SIGNATURE-----")
    assert data["schema_version"] == 2 and data["sequence"] == 0 and data["previous"] is None
    assert data["signer"] == "martechgate-ci"
    assert data["binding"] == {
        "merge_commit": merged,
        "tree": gov.git("rev-parse", "HEAD^{tree}"),
        "parents": [gov.git("rev-parse", "HEAD^1"), gov.git("rev-parse", "HEAD^2")],
        "pull_request": 7,
        "base": gov.git("rev-parse", "HEAD^1"),
        "head": gov.git("rev-parse", "HEAD^2"),
        "files": ["catalog/canva.yaml"],
    }
    assert len(data["policy_pack"]["sha256"]) == 64 and data["policy_pack"]["files"] == 22
    assert data["check"]["passed"] is True and data["check"]["entries"] == 1
    assert data["verdict"]["rules"][0]["seats"][0]["reviewer"] == "alice-chen"
    # the next record names this one; the policy pack is the first parent's
    gov.git("checkout", "-q", "-b", "soften")
    gov.write(
        "policies/pii-requires-sso.yaml",
        gov.path.joinpath("policies/pii-requires-sso.yaml").read_text().replace("severity: high", "severity: low"),
    )
    head = gov.commit("Soften a policy", when="2026-05-02T10:00:00+00:00")
    gov.git("checkout", "-q", "main")
    base = gov.git("rev-parse", "main")
    second = merge(gov, 8, "soften", "2026-05-02T11:00:00+00:00")
    again = record(gov, second, verdict(base, head, JOINT), ci_key)
    assert again.sequence == 1 and again.data["previous"] == record_hash(data)
    assert again.data["binding"]["files"] == ["policies/pii-requires-sso.yaml"]
    assert again.data["policy_pack"]["sha256"] == data["policy_pack"]["sha256"]  # first parent: the old pack
    third, judged = merge_pr(gov, 9, "zoom", "2026-05-03T10:00:00+00:00")
    later = record(gov, third, judged, ci_key)
    assert later.data["policy_pack"]["sha256"] != data["policy_pack"]["sha256"]


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"rules": []},
        {"approved": True, "rules": [{"seats": []}]},
        {"approved": True, "rules": [{"name": "x", "seats": "alice"}]},
        {"approved": True, "rules": [{"name": "x", "seats": [{"reviewer": "a"}]}]},
        {"approved": True, "rules": [], "base": "main", "head": None},
    ],
)
def test_a_malformed_verdict_is_refused(gov: GovRepo, bad: Any, ci_key: SigningKey) -> None:
    allow(gov, ci_key)
    with pytest.raises(UsageError):
        write(Git(gov.path), "HEAD", bad, ci_key)
    assert not read_all(Git(gov.path))


def test_verdict_that_is_not_json(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "v.json"
    path.write_text("{not json")
    result = run_cli("record", "--repo", str(gov.path), "--verdict", str(path))
    assert result.returncode == 2 and "is not JSON" in result.stderr and "Traceback" not in result.stderr


def test_a_verdict_saved_as_utf16_is_read(gov: GovRepo, tmp_path: Path, run_cli: Any, ci_key: SigningKey) -> None:
    """PowerShell's `>` writes UTF-16 with a byte order mark."""
    allow(gov, ci_key)
    merged, judged = merge_pr(gov, 7, "canva", "2026-05-01T10:00:00+00:00")
    path = tmp_path / "v.json"
    path.write_bytes(json.dumps(judged).encode("utf-16"))
    result = run_cli("record", "--repo", str(gov.path), "--verdict", str(path), "--signing-key", str(ci_key.path))
    assert result.returncode == 0, result.stderr
    assert merged in read_all(Git(gov.path))
    path.write_bytes(b"\xff\xfe\x00\xd8")  # a BOM, then half a character
    result = run_cli("record", "--repo", str(gov.path), "--verdict", str(path), "--signing-key", str(ci_key.path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_record_without_a_signing_key_writes_nothing(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    _merged, judged = merge_pr(gov, 7, "canva", "2026-05-01T10:00:00+00:00")
    path = tmp_path / "v.json"
    path.write_text(json.dumps(judged))
    result = run_cli("record", "--repo", str(gov.path), "--verdict", str(path), env={"MARTECHGATE_SIGNING_KEY": ""})
    assert result.returncode == 2 and "no signing key" in result.stderr and "--signing-key" in result.stderr
    assert not read_all(Git(gov.path))


@pytest.mark.slow
def test_two_records_pushed_at_once_both_land_in_one_chain(
    gov: GovRepo, origin: Path, tmp_path: Path, ci_key: SigningKey
) -> None:
    allow(gov, ci_key)
    merges = {}
    for number, tool in enumerate(("canva", "zoom", "figma", "miro", "loom", "notion", "slack"), 1):
        merges[tool] = merge_pr(gov, number, tool, f"2026-05-0{number}T10:00:00+00:00")
    gov.git("push", "-q", "origin", "main")
    # an earlier record already on the remote, so every runner must build on it too
    publish(Git(gov.path), "origin", lambda: record(gov, *merges["canva"], ci_key))
    for round_number, pair in enumerate((("zoom", "figma"), ("miro", "loom"), ("notion", "slack"))):
        clones = [clone(origin, tmp_path / f"ci-{round_number}-{i}") for i in range(2)]
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(
            runner: Git,
            tool: str,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            sha, judged = merges[tool]
            try:
                barrier.wait()
                publish(runner, "origin", lambda: write(runner, sha, judged, ci_key))
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=run, args=(c, tool)) for c, tool in zip(clones, pair, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
    check = clone(origin, tmp_path / "auditor")
    check.run("fetch", "-q", "origin", f"{NOTES_REF}:{NOTES_REF}")
    found = read_all(check)
    assert set(found) == {sha for sha, _ in merges.values()}
    assert sorted(r.sequence for records in found.values() for r in records) == list(range(7))
    first = found[merges["canva"][0]][0]
    result = verify(check, first_record=first.hash)
    assert result.problems == [] and result.recorded == 7


@pytest.mark.slow
def test_two_record_processes_at_once(
    gov: GovRepo, origin: Path, tmp_path: Path, run_cli: Any, ci_key: SigningKey
) -> None:
    allow(gov, ci_key)
    first, first_verdict = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    second, second_verdict = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    gov.git("push", "-q", "origin", "main")
    clones = [clone(origin, tmp_path / f"runner-{i}") for i in range(2)]
    procs = []
    for index, (runner, sha, judged) in enumerate(
        zip(clones, (first, second), (first_verdict, second_verdict), strict=True)
    ):
        verdict_file = tmp_path / f"verdict-{index}.json"
        verdict_file.write_text(json.dumps(judged))
        procs.append(
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
                    "--signing-key",
                    str(ci_key.path),
                    "--push",
                ],
                env={**__import__("os").environ, "PYTHONPATH": str(SRC)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    check = clone(origin, tmp_path / "auditor")
    check.run("fetch", "-q", "origin", f"{NOTES_REF}:{NOTES_REF}")
    found = read_all(check)
    assert set(found) == {first, second}
    assert sorted(r.sequence for records in found.values() for r in records) == [0, 1]


def test_push_to_a_remote_that_refuses_is_an_error_with_a_hint(
    gov: GovRepo, tmp_path: Path, ci_key: SigningKey
) -> None:
    allow(gov, ci_key)
    merged, judged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    gov.git("remote", "add", "origin", str(tmp_path / "nowhere"))
    with pytest.raises(RepoError, match="cannot reach the remote 'origin'"):
        publish(Git(gov.path), "origin", lambda: record(gov, merged, judged, ci_key), attempts=2)


# ----- verify ------------------------------------------------------------------------------------


def recorded_history(gov: GovRepo, key: SigningKey) -> dict[str, str]:
    """PR #1 recorded properly; a direct push; PR #3 recorded with approvals that do not satisfy the rules."""
    allow(gov, key)
    shas = {}
    shas["pr1"], judged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    shas["first"] = record(gov, shas["pr1"], judged, key).hash
    gov.add_entry("zoom")
    shas["direct"] = gov.commit(
        "Add zoom quickly", when="2026-05-02T10:00:00+00:00", author="Admin <admin@example.com>"
    )
    shas["pr3"], judged = merge_pr(gov, 3, "figma", "2026-05-03T10:00:00+00:00")
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
    record(gov, shas["pr3"], verdict(judged["base"], judged["head"], weak, extra, also), key)
    return shas


def test_verify_reports_each_problem_located(gov: GovRepo, ci_key: SigningKey) -> None:
    shas = recorded_history(gov, ci_key)
    result = verify(Git(gov.path), first_record=shas["first"])
    by_commit: dict[str, list[str]] = {}
    for problem in result.problems:
        by_commit.setdefault(problem.commit, []).append(f"{problem.kind}: {problem.message}")
    # verify starts at the pinned first record: the commits before it predate the records
    assert set(by_commit) == {shas["direct"], shas["pr3"]}
    assert by_commit[shas["direct"]] == [
        "unrecorded: changed catalog/zoom.yaml with no approval record (a direct push, or a merge that bypassed review)"
    ]
    pr3 = "\n".join(by_commit[shas["pr3"]])
    assert "mallory counted for security in rule high-risk but is not a member of security" in pr3
    assert "mia approved their own change" in pr3
    assert "rule joint-cmo-cio needs 1 approval from marketing, the record has 0" in pr3
    assert "rule joint-cmo-cio needs 1 approval from it, the record has 0" in pr3
    assert "alice-chen counted for security in rule high-risk but is not a member" in pr3
    assert "rule new-exception needs 1 approval from security, the record has 0" in pr3
    direct = next(p for p in result.problems if p.commit == shas["direct"])
    assert direct.author == "Admin <admin@example.com>" and direct.date == "2026-05-02T10:00:00+00:00"
    assert "martechgate record --commit" in direct.remedy
    # without a pin, the whole history is verified: the start and the adoption commit have no record
    unpinned = {p.commit for p in verify(Git(gov.path)).problems}
    assert unpinned == {gov.git("rev-list", "--max-parents=0", "HEAD"), gov.git("rev-parse", "HEAD~3"), *by_commit}


def test_verify_since_and_a_clean_history(gov: GovRepo, run_cli: Any, ci_key: SigningKey) -> None:
    allow(gov, ci_key)
    merged, judged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    first = record(gov, merged, judged, ci_key)
    result = run_cli("verify", "--repo", str(gov.path), "--since", "2026-04-02")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verified 1 governance change on" in result.stdout and "No problems." in result.stdout
    assert f"commit its hash ({first.hash}) as .martechgate/first-record" in result.stdout
    pinned = run_cli("verify", "--repo", str(gov.path), "--first-record", first.hash)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    assert "not pinned" not in pinned.stdout


def test_a_governance_change_needs_its_own_rule(gov: GovRepo, ci_key: SigningKey) -> None:
    allow(gov, ci_key)
    gov.git("checkout", "-q", "-b", "policy")
    gov.write(
        "policies/pii-requires-sso.yaml",
        gov.path.joinpath("policies/pii-requires-sso.yaml").read_text().replace("severity: high", "severity: low"),
    )
    head = gov.commit("Soften", when="2026-05-01T09:00:00+00:00")
    gov.git("checkout", "-q", "main")
    base = gov.git("rev-parse", "main")
    merged = merge(gov, 9, "policy", "2026-05-01T10:00:00+00:00")
    first = record(gov, merged, verdict(base, head, JOINT), ci_key)
    problems = [p.message for p in verify(Git(gov.path), first_record=first.hash).problems]
    assert problems == ["rule governance-change applied to this change but is not in the record"]


@pytest.mark.slow
def test_verify_detects_rewritten_history(gov: GovRepo, origin: Path, run_cli: Any, ci_key: SigningKey) -> None:
    allow(gov, ci_key)
    shas = {}
    shas["pr1"], judged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    first = record(gov, shas["pr1"], judged, ci_key)
    shas["pr2"], judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, shas["pr2"], judged, ci_key)
    gov.git("push", "-q", "origin", "main")
    # someone resets main past the recorded merge and force-pushes a different change
    gov.git("reset", "-q", "--hard", shas["pr1"])
    gov.add_entry("figma")
    replaced = gov.commit("Add figma (#2)", when="2026-05-02T11:00:00+00:00")
    gov.git("push", "-q", "--force", "origin", "main")
    pin = ["--first-record", first.hash]
    result = run_cli("verify", "--repo", str(gov.path), *pin, "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    kinds = {(p["kind"], p["commit"]) for p in document["problems"]}
    assert kinds == {("rewritten", shas["pr2"]), ("unrecorded", replaced)}
    text = run_cli("verify", "--repo", str(gov.path), *pin).stdout
    assert "no longer on main's first-parent history" in text and "What to do:" in text


def test_rules_that_applied_by_the_entry_must_be_in_the_record(gov: GovRepo, ci_key: SigningKey) -> None:
    allow(gov, ci_key)
    pii = {
        "classification": "confidential",
        "categories": ["contact-pii"],
        "subjects": ["prospects"],
        "residency": ["US"],
        "transfer_mechanism": "none",
        "retention_days": 365,
    }
    base = gov.git("rev-parse", "main")
    gov.git("checkout", "-q", "-b", "big")
    data = entry("bigtool", data=pii)
    data["contract"]["annual_cost"] = 90000
    gov.write("catalog/bigtool.yaml", dump(data))
    head = gov.commit("Add bigtool", when="2026-05-01T09:00:00+00:00")
    gov.git("checkout", "-q", "main")
    merged = merge(gov, 4, "big", "2026-05-01T10:00:00+00:00")
    privacy = {"name": "personal-data", "seats": [{"group": "privacy", "reviewer": "frank-mueller"}]}
    first = record(gov, merged, verdict(base, head, JOINT, privacy), ci_key)
    problems = [p.message for p in verify(Git(gov.path), first_record=first.hash).problems]
    # 90,000 a year with personal data: the computed tier is high, so security must approve too
    assert problems == [
        "rule high-risk applied to this change but is not in the record",
        "rule big-spend applied to this change but is not in the record",
    ]


def test_verify_detects_a_recorded_commit_that_no_longer_exists(gov: GovRepo, ci_key: SigningKey) -> None:
    allow(gov, ci_key)
    merged, judged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    record(gov, merged, judged, ci_key)
    gov.git("reset", "-q", "--hard", "HEAD~1")
    gov.git("branch", "-q", "-D", "add-canva")
    gov.git("reflog", "expire", "--expire=now", "--all")
    gov.git("gc", "-q", "--prune=now")
    assert Git(gov.path).attempt("cat-file", "-e", merged).returncode != 0  # really gone
    problems = verify(Git(gov.path)).problems
    gone = [p for p in problems if p.commit == merged]
    assert [p.kind for p in gone] == ["rewritten"]
    assert "no longer exists" in gone[0].message


@pytest.mark.slow
def test_review_record_verify_end_to_end(gov: GovRepo, tmp_path: Path, run_cli: Any, ci_key: SigningKey) -> None:
    """The verdict `martechgate review --format json` prints is what `record` stores and `verify` re-checks."""
    allow(gov, ci_key)
    _base, head = open_pr(gov, "canva", "2026-05-01T09:00:00+00:00")
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
    merge(gov, 7, "add-canva", "2026-05-01T10:00:00+00:00")
    recorded = run_cli(
        "record", "--repo", str(gov.path), "--verdict", str(verdict_file), "--signing-key", str(ci_key.path)
    )
    assert recorded.returncode == 0, recorded.stderr
    note = read_all(Git(gov.path))[gov.git("rev-parse", "HEAD")][0]
    assert note.binding["head"] == head and note.binding["pull_request"] == 7
    verified = run_cli("verify", "--repo", str(gov.path), "--first-record", note.hash)
    assert verified.returncode == 0, verified.stdout
    audit = json.loads(
        run_cli(
            "audit", "--since", "2026-05-01", "--until", "2026-05-01", "--repo", str(gov.path), "--format", "json"
        ).stdout
    )
    assert audit["events"][0]["approvers"] == "joint-cmo-cio: alice-chen (marketing), carol-diaz (it)"


def test_the_latest_record_of_a_commit_counts_not_the_last_line(gov: GovRepo, ci_key: SigningKey) -> None:
    """A notes merge sorts a note's lines, so the latest record is the one highest in the chain, not
    the last line."""
    allow(gov, ci_key)
    merged, judged = merge_pr(gov, 1, "canva", "2026-05-01T10:00:00+00:00")
    refused = {**judged, "approved": False}
    first = record(gov, merged, refused, ci_key, now=datetime(2026, 5, 2, tzinfo=UTC))
    record(gov, merged, judged, ci_key, now=datetime(2026, 5, 1, tzinfo=UTC))
    assert len(read_all(Git(gov.path))[merged]) == 2
    assert verify(Git(gov.path), since=date(2026, 5, 1), first_record=first.hash).problems == []
