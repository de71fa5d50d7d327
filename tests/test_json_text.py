"""The JSON report is written by orjson, and must be the very text json.dumps wrote: the contract's
readers diff reports, and escapes keep a terminal from acting on a value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from martechgate import __version__
from martechgate.check import engine
from martechgate.formats.controls import indented_json_text, json_text, plain_json_text
from martechgate.sources.repo import WorkTree
from tests.conftest import TODAY


@pytest.mark.parametrize(
    "document",
    [
        {"text": 'line\nbreak\r\x1b[31mred\x00 \x7f\x85 \u2028\u202e é 😀 "quoted" \\ /', "empty": [], "none": {}},
        {"nested": [[{"a": [1, -2, 0, None, True, False]}], []], "big": 2**63 - 1, "small": -(2**63)},
        [],
        "just text",
    ],
)
def test_the_same_text_as_json_dumps(document: Any) -> None:
    assert plain_json_text(document) == json_text(document, indent=2)


@pytest.mark.parametrize("document", [{"big": 2**64}, {"lone": "\udcff"}])
def test_what_orjson_refuses_is_written_by_json(document: Any) -> None:
    assert plain_json_text(document) == json_text(document, indent=2)


def test_the_report_of_the_own_catalog_is_unchanged(own: Any) -> None:
    document = engine.check(WorkTree(own), today=TODAY).report.to_dict(__version__)
    text = plain_json_text(document)
    assert text == json_text(document, indent=2) and json.loads(text) == document


@pytest.mark.parametrize(
    "document",
    [
        {"cost": 1200.5, "rate": 0.1, "big": 123456789.0, "items": [1.5, -0.0, 2]},
        {"small": 1e-05, "huge": 1e16},  # exponent forms: each library writes its own
        {"inf": float("inf")},
        {1: "a key that is not text"},
        {"big": 2**70},
    ],
)
def test_any_document_is_written_as_json_dumps_writes_it(document: Any) -> None:
    assert indented_json_text(document) == json_text(document, indent=2)
