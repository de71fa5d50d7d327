"""The chain of records: a deleted record leaves a gap, a replaced beginning does not match the pin,
and records reordered or forked are found. Each attack in a real repository."""

from __future__ import annotations

from typing import Any

from martechgate.audit.history import Git
from martechgate.audit.records import FIRST_RECORD, SigningKey, verify, write
from tests.conftest import GovRepo
from tests.recording import adopt, kinds, merge_pr, note_of, put_note, record, verify_json


def three_records(gov: GovRepo, key: SigningKey) -> list[str]:
    merges = []
    for number, tool in ((2, "zoom"), (3, "figma"), (4, "miro")):
        merged, judged = merge_pr(gov, number, tool, f"2026-05-0{number}T10:00:00+00:00")
        record(gov, merged, judged, key)
        merges.append(merged)
    return merges


def test_a_deleted_record_leaves_a_gap(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    merges = three_records(gov, ci_key)
    gov.git("notes", "--ref=refs/notes/martechgate", "remove", merges[1])
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert ("chain-broken", merges[2]) in kinds(report) and ("unrecorded", merges[1]) in kinds(report)
    gap = next(p for p in report["problems"] if p["kind"] == "chain-broken")
    assert gap["message"] == "record 2 of the chain is missing (a record was deleted)"
    assert "Restore the missing or replaced note" in gap["remedy"]


def test_the_first_record_deleted_with_verify_since(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    """Dropping the oldest records and verifying only recent changes: the pin still finds it."""
    first = adopt(gov, ci_key)
    three_records(gov, ci_key)
    gov.git("notes", "--ref=refs/notes/martechgate", "remove", gov.git("rev-parse", "HEAD~3"))
    code, report = verify_json(run_cli, gov, first, "--since", "2026-05-03")
    assert code == 1
    assert any(p["message"] == "record 0 of the chain is missing (a record was deleted)" for p in report["problems"])


def test_a_replaced_beginning_does_not_match_the_pin(gov: GovRepo, ci_key: SigningKey) -> None:
    """All notes deleted and the history re-recorded from scratch (with other verdicts): the chain is
    whole again, but it does not begin with the pinned record. The pin is kept in the repo."""
    first = adopt(gov, ci_key)
    merges = three_records(gov, ci_key)
    gov.write(FIRST_RECORD, first.hash + "\n")
    gov.commit("Pin the first approval record", when="2026-05-05T10:00:00+00:00")
    assert verify(Git(gov.path)).problems[0].kind == "unrecorded"  # the pin commit itself needs review
    gov.git("update-ref", "-d", "refs/notes/martechgate")
    recorded = [gov.git("rev-parse", "HEAD~4"), *merges]
    for sha in recorded:
        judged = {
            "schema_version": 1,
            "approved": True,
            "author": "mia",
            "base": gov.git("rev-parse", f"{sha}^1"),
            "head": gov.git("rev-parse", f"{sha}^2"),
            "rules": [],
            "reviewers": [],
        }
        write(Git(gov.path), sha, judged, ci_key)
    problems = verify(Git(gov.path)).problems
    assert any(p.kind == "chain-broken" and f"not the pinned {first.hash}" in p.message for p in problems)


def test_a_pin_given_that_differs_from_the_repos(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    gov.write(FIRST_RECORD, first.hash + "\n")
    gov.commit("Pin", when="2026-05-05T10:00:00+00:00")
    result = run_cli("verify", "--repo", str(gov.path), "--first-record", "0" * 64)
    assert result.returncode == 1 and f"is not the hash pinned in {FIRST_RECORD}" in result.stdout
    result = run_cli("verify", "--repo", str(gov.path), "--first-record", "nonsense")
    assert result.returncode == 2 and "is not a record's sha256" in result.stderr


def test_a_re_record_taken_back_to_restore_an_older_verdict(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    """A change recorded as not approved, then re-recorded after more review; someone drops a record
    from the note. Each record is in the chain, so whichever is dropped, a gap shows (the newest one
    dropped would only leave its change with its older verdict)."""
    first = adopt(gov, ci_key)
    merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, merged, {**judged, "approved": False}, ci_key)  # record 1
    record(gov, merged, judged, ci_key)  # the re-run after more review: record 2
    after, judged_after = merge_pr(gov, 3, "figma", "2026-05-03T10:00:00+00:00")
    record(gov, after, judged_after, ci_key)  # record 3
    code, report = verify_json(run_cli, gov, first)
    assert code == 0, report
    lines = note_of(gov, merged).splitlines()
    put_note(gov, merged, next(line for line in lines if '"approved": false' in line))
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert kinds(report) == {("chain-broken", after), ("approvals-insufficient", merged)}
    messages = [p["message"] for p in report["problems"]]
    assert messages == [
        "record 2 of the chain is missing (a record was deleted)",
        "the recorded review verdict is not approved",
    ]


def test_a_forked_chain_is_reported(gov: GovRepo, ci_key: SigningKey, tmp_path: Any) -> None:
    """Two records written on the same tip without fetching each other (a record pushed by hand past
    the retry): both claim the same place."""
    first = adopt(gov, ci_key)
    one, judged_one = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    two, judged_two = merge_pr(gov, 3, "figma", "2026-05-03T10:00:00+00:00")
    notes_before = gov.git("rev-parse", "refs/notes/martechgate")
    record(gov, one, judged_one, ci_key)
    note_one = note_of(gov, one)
    gov.git("update-ref", "refs/notes/martechgate", notes_before)
    record(gov, two, judged_two, ci_key)
    put_note(gov, one, note_one)
    problems = verify(Git(gov.path), first_record=first.hash).problems
    assert [p.message for p in problems if p.kind == "chain-broken"] == [
        "2 different records claim place 1 of the chain"
    ]


def test_a_record_from_a_fork_signed_by_the_same_key(
    gov: GovRepo, ci_key: SigningKey, tmp_path: Any, run_cli: Any
) -> None:
    """A fork of the governance repo whose CI signs with the same key: its genuine record, copied in
    with the fork's commits, is bound to another commit and names a previous record of another chain."""
    first = adopt(gov, ci_key)
    fork = gov.copy_to(tmp_path / "fork")
    merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, merged, judged, ci_key)
    for number, tool in ((2, "miro"), (3, "loom")):
        sha, fork_verdict = merge_pr(fork, number, tool, f"2026-05-0{number}T10:00:00+00:00")
        record(fork, sha, fork_verdict, ci_key)
    gov.git("fetch", "-q", str(fork.path), "main:refs/remotes/fork/main")
    copied = note_of(fork, fork.git("rev-parse", "HEAD"))  # record 2 of the fork's chain
    gov.add_entry("shadow-tool")
    pushed = gov.commit("Add shadow-tool", when="2026-05-03T10:00:00+00:00")
    put_note(gov, pushed, copied)
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert kinds(report) == {("binding-mismatch", pushed), ("unrecorded", pushed), ("chain-broken", pushed)}
    broken = next(p for p in report["problems"] if p["kind"] == "chain-broken")
    assert broken["message"].startswith("record 2 names ")
    assert broken["message"].endswith("the chain was reordered or a record replaced")
