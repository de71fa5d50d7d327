from tests.conftest import GovRepo, dump, entry
from tests.rules.conftest import Findings


def test_passes_without_duplicates(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "duplicate-key") == []


def test_fails_at_the_second_key(gov: GovRepo, findings: Findings) -> None:
    text = dump(entry("canva")).replace("  sso: saml\n", "  sso: none\n  sso: saml\n")
    gov.write("catalog/canva.yaml", text)
    [finding] = findings(gov.path, "duplicate-key")
    line = text.splitlines().index("  sso: saml") + 1
    assert (finding.line, finding.column, finding.path) == (line, 3, "security.sso")
