import os
from pathlib import Path

from tests.conftest import GovRepo
from tests.rules.conftest import Findings


def test_passes_on_plain_file(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "file-refused") == []


def test_fails_on_link_out_of_repo(gov: GovRepo, findings: Findings, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: outside\n")
    os.symlink(outside, gov.path / "catalog" / "outside.yaml")
    [finding] = findings(gov.path, "file-refused")
    assert finding.file == "catalog/outside.yaml" and finding.blocking


def test_fails_on_binary_file(gov: GovRepo, findings: Findings) -> None:
    gov.write("catalog/logo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00")
    [finding] = findings(gov.path, "file-refused")
    assert "binary" in finding.message
