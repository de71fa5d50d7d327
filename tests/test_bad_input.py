"""The bad-input corpus for `martechgate check`: each case gives a located finding or a located error,
a defined exit code, no traceback, in bounded time, and the good entry beside it is still checked."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GovRepo, dump, entry

GOOD = "catalog/good.yaml"


def bomb() -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghijk"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{'abcdefghijk'[i]}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def text_of(**overrides: Any) -> str:
    return dump(entry("bad", **overrides))


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@dataclass
class Case:
    name: str
    content: str | bytes | None  # None: the setup makes the file
    rule: str
    line: int | None = None
    column: int | None = None
    path: str | None = None
    message: str = ""
    setup: Callable[[GovRepo, Path], None] | None = None
    file: str = "catalog/bad.yaml"


WRONG_TYPES = text_of(contract={"annual_cost": "12k", "seats": 2.5, "auto_renew": "yes"})
DUP = text_of().replace("status: approved\n", "status: denied\nstatus: approved\n")
TAB = "id: bad\nname:\tx\n\tpurpose: y\n"


def _symlink_out(gov: GovRepo, tmp: Path) -> None:
    secret = tmp / "secret.yaml"
    secret.write_text("token: s3cr3t\n")
    os.symlink(secret, gov.path / "catalog" / "bad.yaml")


def _fifo(gov: GovRepo, tmp: Path) -> None:
    os.mkfifo(gov.path / "catalog" / "bad.yaml")


def _folder(gov: GovRepo, tmp: Path) -> None:
    (gov.path / "catalog" / "bad.yaml").mkdir()


CASES = [
    Case("unclosed quote", 'id: bad\nname: "Bad\n', "yaml-syntax", message="not valid YAML"),
    Case("bad indentation", "id: bad\n  name: x\n y: 1\n", "yaml-syntax", line=2),
    Case("tab indentation", TAB, "yaml-syntax"),
    Case("duplicate key", DUP, "duplicate-key", line=line_of(DUP, "status: approved"), column=1, path="status"),
    Case("billion laughs", bomb(), "yaml-syntax", message="alias bomb"),
    Case(
        "python object tag",
        "id: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        "yaml-syntax",
        line=1,
        column=5,
        message="not allowed",
    ),
    Case("custom tag", "id: bad\nname: !vault abc\n", "yaml-syntax", line=2, column=7),
    Case("binary tag", "id: bad\nlogo: !!binary aGVsbG8=\n", "yaml-syntax", line=2),
    Case("deep nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", "yaml-syntax", message="nests deeper"),
    Case("several documents", "id: bad\n---\nid: bad2\n", "yaml-syntax", line=2, message="several"),
    Case("not UTF-8", b"id: bad\nname: Caf\xe9\n", "yaml-syntax", line=2, column=10, message="UTF-8"),
    Case("UTF-16", "id: bad\n".encode("utf-16"), "file-refused", message="binary"),
    Case("NUL byte", b"id: bad\x00\n", "file-refused", message="binary"),
    Case("huge file", b"id: bad\nname: " + b"x" * (1024 * 1024 + 10) + b"\n", "file-refused", message="over the limit"),
    Case("empty file", "", "schema", line=1, message="empty"),
    Case("only comments", "# TODO\n", "schema", message="empty"),
    Case("a list, not a mapping", "- id: bad\n", "schema", line=1, message="mapping"),
    Case("a scalar", "just text\n", "schema", message="mapping"),
    Case(
        "wrong types",
        WRONG_TYPES,
        "schema",
        line=line_of(WRONG_TYPES, "annual_cost"),
        path="contract.annual_cost",
        message="write a number, or unknown",
    ),
    Case("unknown field", text_of(colour="blue"), "schema", path="colour", message="unknown field"),
    Case(
        "bad date",
        text_of(review={"risk_tier": "low", "last_reviewed": "2026-13-01"}),
        "schema",
        path="review.last_reviewed",
        message="YYYY-MM-DD",
    ),
    Case(
        "bad email",
        text_of(owners={"business": "jane", "technical": "raj@example.com"}),
        "owner-unresolved",
        path="owners.business",
        message="is a name, not an email",
    ),
    Case(
        "owners of the wrong type",
        text_of(owners={"business": {"name": "jane"}, "technical": ["raj@example.com", 7]}),
        "schema",
        path="owners.business",
    ),
    Case("huge scalar", text_of(purpose="x" * 100_000), "schema", path="purpose"),
    Case("id with path tricks", text_of(id="../../etc/passwd"), "schema", path="id", message="an id is"),
    Case(
        "target with path tricks",
        text_of(integrations=[{"target": "../secrets", "direction": "outbound"}]),
        "schema",
        path="integrations.0.target",
    ),
    Case("id not the file name", text_of(id="other-tool"), "id-mismatch", path="id"),
    Case(
        "unknown integration target",
        text_of(integrations=[{"target": "nowhere", "direction": "outbound"}]),
        "unknown-reference",
        path="integrations.0.target",
    ),
    Case("symlink out of the repo", None, "file-refused", message="outside the repository", setup=_symlink_out),
    Case("a pipe", None, "file-refused", message="not a regular file", setup=_fifo),
    Case(
        "CRLF and BOM are fine, so the finding is the real one",
        b"\xef\xbb\xbf" + text_of(status="aproved").replace("\n", "\r\n").encode(),
        "schema",
        path="status",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_catalog_file(case: Case, gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    gov.write(GOOD, dump(entry("good", status="aproved")))  # proves the others are still checked
    if case.setup:
        case.setup(gov, tmp_path)
    elif case.content is not None:
        gov.write(case.file, case.content)
    started = time.monotonic()
    result = run_cli("check", str(gov.path), "--format", "json", "--today", "2026-11-23")
    assert time.monotonic() - started < 30
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    mine = [f for f in report["findings"] if f["file"] == case.file and f["rule"] == case.rule]
    assert mine, report["findings"]
    finding = mine[0]
    assert case.message in finding["message"]
    if case.line is not None:
        assert finding["line"] == case.line
    if case.column is not None:
        assert finding["column"] == case.column
    if case.path is not None:
        assert finding["path"] == case.path
    assert finding["blocking"] is True
    assert any(f["file"] == GOOD and f["path"] == "status" for f in report["findings"])
    assert "s3cr3t" not in result.stdout + result.stderr
    assert not Path("/tmp/pwned").exists()


def test_a_folder_named_like_an_entry(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    _folder(gov, tmp_path)
    result = run_cli("check", str(gov.path), "--format", "json")
    assert result.returncode == 0 and "Traceback" not in result.stderr  # folders are not entries


@pytest.mark.parametrize(
    "content, where",
    [
        ("organization: [\n", "martechgate.yaml:2"),
        ("organization: A\n", "martechgate.yaml:1:1"),
        (b"organization: \xff\n", "martechgate.yaml:1"),
    ],
)
def test_bad_organisation_file_is_exit_2(content: str | bytes, where: str, gov: GovRepo, run_cli: Any) -> None:
    gov.write("martechgate.yaml", content)
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2 and where in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        ("id: pii-requires-sso\n!!python/object:x {}\n", "not"),
        ("id: pii-requires-sso\ntitle: x\n", "missing"),
        ("- a\n", "mapping"),
    ],
)
def test_bad_policy_file_is_exit_2(content: str, message: str, gov: GovRepo, run_cli: Any) -> None:
    gov.write("policies/pii-requires-sso.yaml", content)
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2 and "policies/pii-requires-sso.yaml" in result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unexpected_error_is_logged_not_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last guard: an internal error shows a short message and where the details are, exit 2."""
    import click
    from click.testing import CliRunner

    from martechgate.cli import Cli

    @click.group(cls=Cli)
    def group() -> None: ...

    @group.command()
    def explode() -> None:
        raise KeyError("internal detail")

    monkeypatch.setenv("MARTECHGATE_LOG_DIR", str(tmp_path / "logs"))
    result = CliRunner().invoke(group, ["explode"])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and "unexpected internal error" in result.stderr
    log = (tmp_path / "logs" / "martechgate.log").read_text()
    assert "Traceback" in log and "internal detail" in log
