from tests.conftest import GovRepo
from tests.rules.conftest import Findings


def test_passes_on_valid_yaml(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "yaml-syntax") == []


def test_fails_on_unclosed_quote_and_other_entries_still_checked(gov: GovRepo, findings: Findings) -> None:
    gov.write("catalog/broken.yaml", 'id: broken\nname: "Broken\npurpose: x\n')
    gov.add_entry("canva", status="aproved")
    [finding] = findings(gov.path, "yaml-syntax")
    assert finding.file == "catalog/broken.yaml" and finding.line is not None and finding.blocking
    assert finding.entry == "broken"  # named after the file when the id cannot be read
    assert [f.path for f in findings(gov.path, "schema")] == ["status"]
