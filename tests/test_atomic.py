"""atomic: every file martechgate writes is written whole, with an ordinary mode, or not at all."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from martechgate import atomic
from tests.conftest import GovRepo, dump, entry


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_file_follows_the_umask(tmp_path: Path, umask_022: None) -> None:
    atomic.replace(tmp_path / "report.json", "{}\n")
    assert atomic.write_new(tmp_path / "entry.yaml", b"id: x\n")
    assert mode(tmp_path / "report.json") == mode(tmp_path / "entry.yaml") == 0o644
    os.umask(0o077)
    atomic.replace(tmp_path / "private.json", "{}\n")
    assert mode(tmp_path / "private.json") == 0o600
    assert sorted(os.listdir(tmp_path)) == ["entry.yaml", "private.json", "report.json"]


def test_a_replaced_file_keeps_its_mode_and_gets_the_new_bytes(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "CODEOWNERS"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic.replace(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n" and mode(target) == 0o640


def test_never_over_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "entry.yaml"
    target.write_text("mine\n")
    assert not atomic.write_new(target, "theirs\n")
    assert target.read_text() == "mine\n" and os.listdir(tmp_path) == ["entry.yaml"]


def test_a_failed_write_leaves_the_target_as_it_was_and_nothing_behind(tmp_path: Path) -> None:
    taken = tmp_path / "report.json"
    taken.mkdir()  # a folder where the file should go: the rename fails after the bytes are written
    (taken / "inside").write_text("kept\n")
    with pytest.raises(OSError):
        atomic.replace(taken, "{}\n")
    assert os.listdir(tmp_path) == ["report.json"] and (taken / "inside").read_text() == "kept\n"
    with pytest.raises(OSError):
        atomic.write_new(tmp_path / "missing" / "entry.yaml", "x")  # no such folder
    assert os.listdir(tmp_path) == ["report.json"]


@pytest.mark.slow
def test_new_and_codeowners_write_ordinary_files(gov: GovRepo, run_cli: Any, tmp_path: Path, umask_022: None) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(dump(entry("forms", status="proposed", data={**entry("x")["data"], "eu_subjects": False})))
    created = run_cli("new", str(gov.path), "--from", str(answers), "--today", "2026-07-01")
    assert created.returncode == 0, created.stderr
    assert mode(gov.path / "catalog" / "forms.yaml") == 0o644
    written = run_cli("codeowners", str(gov.path), "--write")
    assert written.returncode == 0, written.stderr
    assert mode(gov.path / ".github" / "CODEOWNERS") == 0o644


def test_many_new_files_at_once_never_over_an_existing_one(tmp_path: Path, umask_022: None) -> None:
    (tmp_path / "taken.yaml").write_text("mine", encoding="utf-8")
    written = atomic.write_new_all([(tmp_path / "a.yaml", "a: 1\n"), (tmp_path / "taken.yaml", b"theirs")])
    assert written == [True, False]
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "a: 1\n"
    assert (tmp_path / "taken.yaml").read_text(encoding="utf-8") == "mine"
    assert oct((tmp_path / "a.yaml").stat().st_mode & 0o777) == oct(0o644)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "taken.yaml"]  # no temporary left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_a_device_is_written_to_never_replaced(tmp_path: Path, own: Path, run_cli: Any) -> None:
    """`-o /dev/stdout`, `-o /dev/null` or a named pipe: written to as it is. Renamed over, /dev/null
    became a regular file holding the report (as root, the temporary file beside it could be made)."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic.replace(fifo, [b"one, ", memoryview(b"two")])
    reader.join(timeout=60)
    assert received == [b"one, two"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["own", "report.fifo"]  # nothing left beside it
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_cli("check", "--repo", str(own), "--format", "json", "-o", str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0 and received[1] == result.stdout.encode()
