from tests.conftest import GovRepo, dump, entry
from tests.rules.conftest import Findings


def test_passes_with_distinct_ids(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    gov.add_entry("figma")
    assert findings(gov.path, "duplicate-id") == []


def test_fails_on_the_second_file(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    gov.write("catalog/canva.yml", dump(entry("canva")))
    [finding] = findings(gov.path, "duplicate-id")
    assert finding.file == "catalog/canva.yml" and "catalog/canva.yaml" in finding.message
