from tests.conftest import GovRepo, dump, entry
from tests.rules.conftest import Findings


def test_passes_when_id_is_file_name(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "id-mismatch") == []


def test_fails_when_id_differs(gov: GovRepo, findings: Findings) -> None:
    gov.write("catalog/canva.yaml", dump(entry("canva-pro")))
    [finding] = findings(gov.path, "id-mismatch")
    assert finding.path == "id" and "canva-pro" in finding.message and finding.line == 2
