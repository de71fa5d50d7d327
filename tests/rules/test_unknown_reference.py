from tests.conftest import GovRepo
from tests.rules.conftest import Findings


def test_passes_when_references_exist(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("figma")
    gov.add_entry(
        "canva",
        status="deprecated",
        alternative="figma",
        integrations=[{"target": "figma", "direction": "outbound", "data": ["none"]}],
    )
    assert findings(gov.path, "unknown-reference") == []


def test_fails_on_unknown_target_alternative_and_category(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("figma")
    gov.add_entry(
        "canva",
        category="desing",
        status="deprecated",
        alternative="figmaa",
        integrations=[{"target": "salesforce", "direction": "outbound"}],
    )
    by_path = {f.path: f.message for f in findings(gov.path, "unknown-reference")}
    assert set(by_path) == {"category", "alternative", "integrations.0.target"}
    assert "did you mean 'design'" in by_path["category"]
    assert "did you mean 'figma'" in by_path["alternative"]
