from tests.conftest import GovRepo, dump, entry
from tests.rules.conftest import Findings


def test_passes_on_a_complete_entry(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "schema") == []


def test_fails_on_wrong_values_each_located(gov: GovRepo, findings: Findings) -> None:
    data = entry("canva", status="aproved", unknown_field=1)
    data["security"]["sso"] = "SAML"
    data["contract"]["renewal"] = "2027-02-30"
    text = dump(data)
    gov.write("catalog/canva.yaml", text)
    by_path = {f.path: f for f in findings(gov.path, "schema")}
    assert set(by_path) == {"status", "security.sso", "contract.renewal", "unknown_field"}
    assert by_path["status"].line == text.splitlines().index("status: aproved") + 1
    assert "one of: proposed" in by_path["status"].message
    assert "YYYY-MM-DD" in by_path["contract.renewal"].message


def test_missing_field_located_at_parent_key(gov: GovRepo, findings: Findings) -> None:
    data = entry("canva")
    del data["owners"]["technical"]
    text = dump(data)
    gov.write("catalog/canva.yaml", text)
    [finding] = findings(gov.path, "schema")
    assert finding.path == "owners.technical"
    assert finding.line == text.splitlines().index("owners:") + 1


def test_empty_file_and_non_mapping(gov: GovRepo, findings: Findings) -> None:
    gov.write("catalog/empty.yaml", "")
    gov.write("catalog/list.yaml", "- a\n- b\n")
    messages = {f.file: f.message for f in findings(gov.path, "schema")}
    assert "empty" in messages["catalog/empty.yaml"]
    assert "mapping" in messages["catalog/list.yaml"]


def test_unknown_field_suggests_the_right_one(gov: GovRepo, findings: Findings) -> None:
    gov.write("catalog/canva.yaml", dump(entry("canva", purpse="typo")))
    assert any("did you mean 'purpose'" in f.message for f in findings(gov.path, "schema"))


def test_extension_fields_allowed(gov: GovRepo, findings: Findings) -> None:
    gov.write("catalog/canva.yaml", dump({**entry("canva"), "x-cost-centre": "MKT-12"}))
    assert findings(gov.path, "schema") == []
