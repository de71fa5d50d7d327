"""Records bound to their commit: a verdict of another change is refused by `record`, and a genuine
record moved to another commit (replayed, or re-attached after a history rewrite) is refused by
`verify`. Each attack in a real repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from martechgate.audit.history import Git
from martechgate.audit.records import SigningKey, read_all
from tests.conftest import GovRepo
from tests.recording import (
    JOINT,
    adopt,
    kinds,
    merge,
    merge_pr,
    note_of,
    open_pr,
    put_note,
    record,
    verdict,
    verify_json,
)


def run_record(run_cli: Any, gov: GovRepo, key: SigningKey, judged: dict[str, Any], tmp_path: Path, *extra: str) -> Any:
    path = tmp_path / "verdict.json"
    path.write_text(json.dumps(judged))
    return run_cli("record", "--repo", str(gov.path), "--verdict", str(path), "--signing-key", str(key.path), *extra)


def test_record_refuses_the_verdict_of_another_pull_request(
    gov: GovRepo, ci_key: SigningKey, run_cli: Any, tmp_path: Path
) -> None:
    adopt(gov, ci_key)
    _harmless, harmless_verdict = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    risky, _ = merge_pr(gov, 3, "figma", "2026-05-03T10:00:00+00:00")
    before = note_of(gov, gov.git("rev-parse", "HEAD~2"))
    result = run_record(run_cli, gov, ci_key, harmless_verdict, tmp_path, "--commit", risky)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"the verdict is not of the change merged in {risky[:12]}" in result.stderr
    assert "it is the verdict of another change" in result.stderr and "Nothing was written" in result.stderr
    assert risky not in read_all(Git(gov.path))
    assert note_of(gov, gov.git("rev-parse", "HEAD~2")) == before


def test_record_refuses_a_base_outside_the_merged_history(
    gov: GovRepo, ci_key: SigningKey, run_cli: Any, tmp_path: Path
) -> None:
    """The right head, but judged against a base of the attacker's choosing (where the change looks
    harmless): the base must be in the history the change was merged into."""
    adopt(gov, ci_key)
    _base, head = open_pr(gov, "zoom", "2026-05-02T09:00:00+00:00")
    gov.git("checkout", "-q", "-b", "elsewhere", head)
    elsewhere = gov.commit("A base where zoom already exists", when="2026-05-02T09:30:00+00:00")
    gov.git("checkout", "-q", "main")
    merged = merge(gov, 2, "add-zoom", "2026-05-02T10:00:00+00:00")
    result = run_record(run_cli, gov, ci_key, verdict(elsewhere, head, JOINT), tmp_path)
    assert result.returncode == 2
    assert f"the verdict's base {elsewhere[:12]} is not in the history this change was merged into" in result.stderr
    assert merged not in read_all(Git(gov.path))


def test_record_refuses_a_merge_that_changed_more_than_was_reviewed(
    gov: GovRepo, ci_key: SigningKey, run_cli: Any, tmp_path: Path
) -> None:
    """An "evil merge": the merge commit itself adds an entry, and edits the reviewed one."""
    adopt(gov, ci_key)
    base, head = open_pr(gov, "zoom", "2026-05-02T09:00:00+00:00")
    gov.git("merge", "-q", "--no-ff", "--no-commit", "add-zoom")
    gov.add_entry("shadow-tool")
    gov.add_entry("zoom", name="Zoom, edited after review")
    gov.git("add", "-A")
    gov.git("commit", "-q", "-m", "Merge pull request #2 from acme/add-zoom", date_text="2026-05-02T10:00:00+00:00")
    result = run_record(run_cli, gov, ci_key, verdict(base, head, JOINT), tmp_path)
    assert result.returncode == 2
    assert "catalog/shadow-tool.yaml, which the reviewed change did not" in result.stderr
    assert f"catalog/zoom.yaml differ from what was reviewed at {head[:12]}" in result.stderr


def test_record_refuses_a_verdict_of_a_working_tree(
    gov: GovRepo, ci_key: SigningKey, run_cli: Any, tmp_path: Path
) -> None:
    adopt(gov, ci_key)
    _merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    result = run_record(run_cli, gov, ci_key, {**judged, "head": None}, tmp_path)
    assert result.returncode == 2 and "the verdict names no head commit" in result.stderr


def test_a_genuine_record_replayed_onto_a_direct_push(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, merged, judged, ci_key)
    gov.add_entry("shadow-tool")
    pushed = gov.commit("Add a tool", when="2026-05-03T10:00:00+00:00")
    put_note(gov, pushed, note_of(gov, merged))  # a valid signature, on the wrong commit
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert kinds(report) == {("binding-mismatch", pushed), ("unrecorded", pushed)}
    replay = next(p for p in report["problems"] if p["kind"] == "binding-mismatch")
    assert f"is of the commit {merged[:12]} (pull request #2)" in replay["message"]
    assert "a replayed record" in replay["message"]


def test_notes_swapped_between_two_merges(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    """Each record moved to the other merge (the approvals of a reviewed change lent to a riskier one)."""
    first = adopt(gov, ci_key)
    one, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, one, judged, ci_key)
    two, judged = merge_pr(gov, 3, "figma", "2026-05-03T10:00:00+00:00")
    record(gov, two, judged, ci_key)
    note_one, note_two = note_of(gov, one), note_of(gov, two)
    put_note(gov, one, note_two)
    put_note(gov, two, note_one)
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert {("binding-mismatch", one), ("binding-mismatch", two), ("unrecorded", one), ("unrecorded", two)} <= kinds(
        report
    )


def test_history_rewritten_and_the_old_records_re_attached(
    gov: GovRepo, ci_key: SigningKey, run_cli: Any, tmp_path: Path
) -> None:
    """main is reset and a different change force-pushed in place of a recorded merge; the old record
    is copied onto the new commit so that it looks recorded."""
    first = adopt(gov, ci_key)
    merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, merged, judged, ci_key)
    genuine = note_of(gov, merged)
    gov.git("reset", "-q", "--hard", "HEAD~1")
    gov.add_entry("zoom", name="Zoom, never reviewed")
    gov.add_entry("shadow-tool")
    replaced = gov.commit("Merge pull request #2 from acme/add-zoom", when="2026-05-02T10:00:00+00:00")
    put_note(gov, replaced, genuine)
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert kinds(report) == {("rewritten", merged), ("binding-mismatch", replaced), ("unrecorded", replaced)}


def test_a_record_whose_commit_was_recreated_with_another_tree(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    """The recorded merge is amended (same parents, same message, another tree) and the note moved:
    the binding names the old tree and files."""
    first = adopt(gov, ci_key)
    merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, merged, judged, ci_key)
    genuine = note_of(gov, merged)
    gov.add_entry("shadow-tool")
    gov.git("add", "-A")
    gov.git("commit", "-q", "--amend", "--no-edit", date_text="2026-05-02T10:00:00+00:00")
    amended = gov.git("rev-parse", "HEAD")
    put_note(gov, amended, genuine)
    code, report = verify_json(run_cli, gov, first)
    assert code == 1 and ("binding-mismatch", amended) in kinds(report) and ("rewritten", merged) in kinds(report)
