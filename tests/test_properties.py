"""Property-based tests: whatever a catalog file holds, the check answers with findings, never an
exception, and its JSON report always fits the published report schema."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from martechgate import formats as reporters
from martechgate.check import engine
from martechgate.check.schemas import load_schema
from martechgate.sources.repo import WorkTree
from martechgate.sources.yamlload import load_bytes, load_text
from tests.conftest import ROOT, TODAY, dump, entry

REPORT = jsonschema_rs.Draft202012Validator(load_schema("report"), validate_formats=True)

# YAML-ish text: the characters that steer the parser, so the examples reach deep into it.
YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,? \n\t0123456789.~\x00\x85\ufeff")), max_size=200)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@given(st.binary(max_size=400))
def test_any_bytes_load_or_give_problems(data: bytes) -> None:
    loaded = load_bytes(data)
    assert loaded.ok or loaded.problems


@given(YAMLISH)
def test_any_yamlish_text_loads_or_gives_located_problems(text: str) -> None:
    loaded = load_text(text)
    assert loaded.ok or loaded.problems
    for problem in loaded.problems:
        assert problem.line is None or problem.line >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        YAMLISH,
        JSONISH.map(dump),
        st.fixed_dictionaries(
            {},
            optional={
                key: JSONISH
                for key in (
                    "id",
                    "status",
                    "data",
                    "security",
                    "contract",
                    "integrations",
                    "exceptions",
                    "owners",
                    "review",
                    "oauth",
                )
            },
        ).map(lambda extra: dump({**entry("fuzz"), **extra})),
    )
)
@pytest.mark.slow
def test_check_never_raises_and_report_fits_its_schema(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        shutil.copy(ROOT / "martechgate.yaml", repo / "martechgate.yaml")
        shutil.copytree(ROOT / "policies", repo / "policies")
        (repo / "catalog").mkdir()
        (repo / "catalog" / "fuzz.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        (repo / "catalog" / "good.yaml").write_text(dump(entry("good")))
        result = engine.check(WorkTree(repo), today=TODAY)
        report = json.loads(reporters.render("json", result))
        errors = list(REPORT.iter_errors(report))
        assert not errors, errors[0].message
        for finding in report["findings"]:  # the good entry is judged alone, unless the fuzz took its id
            assert finding["file"] == "catalog/fuzz.yaml" or finding["rule"] == "duplicate-id"
