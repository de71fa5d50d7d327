"""Attacks on approval records by someone who can push commits or write git notes (refs/notes/martechgate)
but does not hold CI's signing key: each is attempted in a real repository and refused by verify."""

from __future__ import annotations

import json
from typing import Any

from martechgate.audit.history import Git
from martechgate.audit.records import SigningKey, canonical, read_all, verify, write
from martechgate.audit.signing import sign
from tests.conftest import GovRepo
from tests.recording import (
    JOINT,
    adopt,
    allowed_line,
    kinds,
    make_key,
    merge,
    merge_pr,
    note_of,
    open_pr,
    put_note,
    record,
    verdict,
    verify_json,
)


def direct_push(gov: GovRepo, tool: str = "zoom") -> str:
    gov.add_entry(tool)
    return gov.commit(f"Add {tool}", when="2026-05-02T10:00:00+00:00", author="Admin <admin@example.com>")


def test_a_hand_written_approved_note_on_a_direct_push(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    pushed = direct_push(gov)
    # the first format of a record: plain JSON, no signature, every field an attacker likes
    base = gov.git("rev-parse", "HEAD~1")
    forged = {"schema_version": 1, "merge_commit": pushed, "verdict": verdict(base, pushed, JOINT)}
    put_note(gov, pushed, json.dumps(forged))
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert kinds(report) == {("unsigned", pushed), ("unrecorded", pushed)}
    unsigned = next(p for p in report["problems"] if p["kind"] == "unsigned")
    assert "not signed" in unsigned["message"] and "Remove the hand-written note" in unsigned["remedy"]


def test_a_note_in_the_new_format_signed_by_the_attackers_own_key(
    gov: GovRepo, ci_key: SigningKey, tmp_path: Any, run_cli: Any
) -> None:
    first = adopt(gov, ci_key)
    mallory = make_key(tmp_path / "mallory", principal="martechgate-ci")  # same principal name, other key
    pushed = direct_push(gov)
    # a faithful copy of what CI writes, chained on the real first record, signed by another key
    genuine = json.loads(note_of(gov, gov.git("rev-parse", "HEAD~1")))["record"]
    data = {
        **genuine,
        "sequence": 1,
        "previous": first.hash,
        "binding": {**genuine["binding"], "merge_commit": pushed, "parents": [gov.git("rev-parse", "HEAD~1")]},
    }
    put_note(gov, pushed, json.dumps({"record": data, "signature": sign(canonical(data), mallory.path)}))
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert ("signature-invalid", pushed) in kinds(report) and ("unrecorded", pushed) in kinds(report)
    assert "signed by a key that was not allowed" in json.dumps(report)


def test_an_edited_note_no_longer_verifies(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    weak = verdict(judged["base"], judged["head"], {**JOINT, "seats": [{"group": "marketing", "reviewer": "mia"}]})
    record(gov, merged, weak, ci_key)
    code, report = verify_json(run_cli, gov, first)
    assert code == 1 and ("approvals-insufficient", merged) in kinds(report)
    # someone with push access to the notes "fixes" the approvals in place
    envelope = json.loads(note_of(gov, merged))
    envelope["record"]["verdict"]["rules"] = [JOINT]
    put_note(gov, merged, json.dumps(envelope))
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert ("signature-invalid", merged) in kinds(report) and ("unrecorded", merged) in kinds(report)
    assert ("approvals-insufficient", merged) not in kinds(report)  # an invalid record counts for nothing


def test_a_malformed_note_is_reported_not_a_crash(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    pushed = direct_push(gov)
    for text in ("approved by everyone", "[1, 2]", '{"record": "yes", "signature": 7}', '{"record": {"x": []}}'):
        put_note(gov, pushed, text)
        code, report = verify_json(run_cli, gov, first)
        assert code == 1, text
        assert ("unrecorded", pushed) in kinds(report), text
        assert {k for k, c in kinds(report) if c == pushed} & {"record-invalid", "unsigned"}, text
    gov.git("notes", "--ref=refs/notes/martechgate", "add", "-f", "-F", "/dev/stdin", pushed)  # an empty note
    code, report = verify_json(run_cli, gov, first)
    assert code == 1 and ("unrecorded", pushed) in kinds(report)


def test_allowed_signers_changed_in_the_same_pull_request(
    gov: GovRepo, ci_key: SigningKey, tmp_path: Any, run_cli: Any
) -> None:
    """A pull request that adds its author's key cannot have its own record signed by that key: the
    allowed signers are read from the base, the merge's first parent."""
    first = adopt(gov, ci_key)
    mallory = make_key(tmp_path / "mallory", principal="mallory")
    base = gov.git("rev-parse", "main")
    gov.git("checkout", "-q", "-b", "keys")
    gov.write(
        ".martechgate/allowed_signers",
        gov.path.joinpath(".martechgate/allowed_signers").read_text() + allowed_line(mallory),
    )
    gov.add_entry("zoom")
    head = gov.commit("Add zoom", when="2026-05-02T09:00:00+00:00")
    gov.git("checkout", "-q", "main")
    merged = merge(gov, 2, "keys", "2026-05-02T10:00:00+00:00")
    verdict_file = tmp_path / "verdict.json"
    verdict_file.write_text(json.dumps(verdict(base, head, JOINT)))
    refused = run_cli(
        "record",
        "--repo",
        str(gov.path),
        "--verdict",
        str(verdict_file),
        "--signing-key",
        str(mallory.path),
        "--signer",
        "mallory",
    )
    assert refused.returncode == 2 and "cannot sign records here" in refused.stderr
    assert "allowed_signers" in refused.stderr and merged not in read_all(Git(gov.path))
    # written by hand with the same key, the record is refused by verify
    from martechgate.audit.records import Record, Revisions, bind
    from martechgate.sources.git import commit_shape

    shape = commit_shape(Git(gov.path), merged)
    assert shape is not None
    binding, wrong = bind(Git(gov.path), Revisions(Git(gov.path)), shape, verdict(base, head, JOINT), 2)
    assert wrong == []
    data = {**first.data, "sequence": 1, "previous": first.hash, "signer": "mallory", "binding": binding}
    data["verdict"] = verdict(base, head, JOINT)
    put_note(gov, merged, Record(merged, data, sign(canonical(data), mallory.path)).line())
    code, report = verify_json(run_cli, gov, first)
    assert code == 1 and ("signature-invalid", merged) in kinds(report)


def test_a_forged_record_high_in_the_chain_is_never_chained_onto(
    gov: GovRepo, ci_key: SigningKey, tmp_path: Any
) -> None:
    """CI writes each record after the newest record whose signature holds, so a forged note claiming
    place 99 of the chain cannot make the genuine records look broken, or hide among them."""
    first = adopt(gov, ci_key)
    mallory = make_key(tmp_path / "mallory")
    pushed = direct_push(gov)
    data = {**first.data, "sequence": 99, "previous": first.hash}
    put_note(gov, pushed, json.dumps({"record": data, "signature": sign(canonical(data), mallory.path)}))
    merged, judged = merge_pr(gov, 3, "figma", "2026-05-03T10:00:00+00:00")
    genuine = record(gov, merged, judged, ci_key)
    assert genuine.sequence == 1 and genuine.data["previous"] == first.hash
    result = verify(Git(gov.path), first_record=first.hash)
    assert {(p.kind, p.commit) for p in result.problems} == {("signature-invalid", pushed), ("unrecorded", pushed)}


def test_a_squash_merge_recorded_honestly_verifies(gov: GovRepo, ci_key: SigningKey) -> None:
    """The honest path the binding must not break: a squash merge (one parent) of a reviewed head."""
    first = adopt(gov, ci_key)
    base, head = open_pr(gov, "zoom", "2026-05-02T09:00:00+00:00")
    gov.git("merge", "-q", "--squash", "add-zoom")
    squashed = gov.commit("Add zoom (#2)", when="2026-05-02T10:00:00+00:00")
    written = record(gov, squashed, verdict(base, head, JOINT), ci_key)
    assert written.binding["parents"] == [base] and written.binding["pull_request"] == 2
    assert verify(Git(gov.path), first_record=first.hash).problems == []


def test_a_key_added_by_a_direct_push_makes_nothing_it_signs_valid(
    gov: GovRepo, ci_key: SigningKey, tmp_path: Any, run_cli: Any
) -> None:
    """Someone who can push adds their own key to the allowed signers (that push is reported), then
    records their later direct pushes with it, chained properly: those records count for nothing."""
    first = adopt(gov, ci_key)
    mallory = make_key(tmp_path / "mallory", principal="mallory")
    allowed = gov.path.joinpath(".martechgate/allowed_signers").read_text()
    gov.write(".martechgate/allowed_signers", allowed + allowed_line(mallory))
    keys = gov.commit("Rotate keys", when="2026-05-02T10:00:00+00:00")
    gov.add_entry("shadow-tool")
    pushed = gov.commit("Add shadow-tool", when="2026-05-03T10:00:00+00:00")
    forged = write(Git(gov.path), pushed, verdict(keys, pushed, JOINT), mallory)  # as mallory can
    assert forged.sequence == 1 and forged.data["previous"] == first.hash
    # CI's own records after the unreviewed change still count: they verify under the reviewed signers
    merged, judged = merge_pr(gov, 4, "figma", "2026-05-04T10:00:00+00:00")
    record(gov, merged, judged, ci_key)
    code, report = verify_json(run_cli, gov, first)
    assert code == 1
    assert kinds(report) == {("unrecorded", keys), ("signature-invalid", pushed), ("unrecorded", pushed)}
    invalid = next(p for p in report["problems"] if p["kind"] == "signature-invalid")
    assert f"was changed by {keys[:12]}, which has no valid record" in invalid["message"]
