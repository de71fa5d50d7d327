from typing import Any

import pytest
from click.testing import CliRunner

from martechgate.check.codes import country_problem, currency_problem
from martechgate.cli import main
from tests.conftest import BASE_ENTRY, GovRepo
from tests.rules.conftest import Findings


def test_passes_with_real_codes(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", vendor={**BASE_ENTRY["vendor"], "country": "IE"})
    assert findings(gov.path, "iso-codes") == []


def test_fails_located_with_a_suggestion(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry(
        "canva",
        vendor={**BASE_ENTRY["vendor"], "country": "EU"},
        data={**BASE_ENTRY["data"], "residency": ["US", "XX", "UK"]},
        contract={**BASE_ENTRY["contract"], "currency": "XYZ"},
    )
    found = {f.path: f for f in findings(gov.path, "iso-codes")}
    assert set(found) == {"vendor.country", "data.residency.1", "data.residency.2", "contract.currency"}
    assert "the EU is not a country" in found["vendor.country"].message and found["vendor.country"].line == 7
    assert found["data.residency.2"].message.endswith("write GB, the United Kingdom's code")
    assert "'XYZ' is not an ISO 4217 currency code" in found["contract.currency"].message
    assert all(f.blocking for f in found.values())


@pytest.mark.parametrize(
    "code, says", [("XX", "write the two-letter code"), ("DEU", "write DE"), ("de", "write DE"), ("US", None)]
)
def test_country_codes(code: str, says: str | None) -> None:
    problem = country_problem(code)
    assert problem is None if says is None else (problem is not None and says in problem)


@pytest.mark.parametrize("code, says", [("RMB", "write CNY"), ("ABC", "three letters"), ("JPY", None)])
def test_currency_codes(code: str, says: str | None) -> None:
    problem = currency_problem(code)
    assert problem is None if says is None else (problem is not None and says in problem)


def test_the_wizard_refuses_them_too(gov: GovRepo) -> None:
    args = ["new", "--repo", str(gov.path), "--name", "Acme", "--country", "XX", "--dry-run"]
    result: Any = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "'XX' is not an ISO 3166-1 country code" in result.output
