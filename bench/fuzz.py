"""Coverage-guided fuzzing (atheris, libFuzzer) of everything that reads a file a user or a pull
request controls: a catalog entry judged by the whole rule set, a policy file, the organisation file,
and the discovery exports (Okta, Entra, Google, expense CSV).

A crash is any exception that is not one of martechgate's typed errors (those become a located
message and exit 2), or a catalog entry whose findings do not fit the JSON report's schema.
Hypothesis tests the same promises in the suite; this runs for minutes, guided by coverage.

Usage (atheris is not a dependency; it needs a Linux or macOS wheel):
    pip install atheris
    python bench/fuzz.py entry -max_total_time=300 -rss_limit_mb=4096
Targets: entry, policy, organisation, okta, entra, google, expenses. Seeds: the repo's own files and
the published examples in tests/fixtures/real. libFuzzer prints executions and coverage; a crash
writes its input to ./crash-*.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)

with atheris.instrument_imports(include=["martechgate"]):
    import jsonschema_rs

    from martechgate import __version__
    from martechgate.check import engine
    from martechgate.check.catalog import Catalog
    from martechgate.check.model import Entry
    from martechgate.check.organisation import parse_organization
    from martechgate.check.policy import load_policies, parse_policy
    from martechgate.check.rules import RULES
    from martechgate.check.schemas import load_schema
    from martechgate.discovery import entra, expenses, google, okta
    from martechgate.errors import MartechgateError
    from martechgate.sources.repo import WorkTree, blob_id
    from martechgate.sources.yamlload import load_bytes

OWN = WorkTree(ROOT)
ORGANIZATION = parse_organization((ROOT / "martechgate.yaml").read_bytes())
POLICIES = load_policies(OWN, reserved_ids=RULES)
NEIGHBOURS = [Entry(path, load_bytes(OWN.read(path).data or b""), None) for path in OWN.list_yaml("catalog")[:5]]
REPORT = jsonschema_rs.Draft202012Validator(load_schema("report"), validate_formats=True)
SCRATCH = Path(tempfile.mkdtemp(prefix="martechgate-fuzz-")) / "export"


def entry(data: bytes) -> None:
    """Any bytes as catalog/fuzzed.yaml among real entries: findings, never an exception."""
    fuzzed = Entry("catalog/fuzzed.yaml", load_bytes(data), blob_id(data))
    result = engine.run(Catalog([*NEIGHBOURS, fuzzed], ORGANIZATION, POLICIES, TODAY))
    report = result.report.to_dict(__version__)
    if not REPORT.is_valid(json.loads(json.dumps(report))):
        raise AssertionError("the report does not fit its schema")


def typed_errors_only(parse: Callable[[bytes], object]) -> Callable[[bytes], None]:
    def target(data: bytes) -> None:
        with contextlib.suppress(MartechgateError):  # a located, typed error: exit 2 with a message
            parse(data)

    return target


def export(reader: Callable[[str], object]) -> Callable[[bytes], None]:
    def read_all(data: bytes) -> None:
        SCRATCH.write_bytes(data)
        for _ in reader(str(SCRATCH)):  # type: ignore[attr-defined]
            pass

    return typed_errors_only(read_all)


TARGETS: dict[str, tuple[Callable[[bytes], None], list[Path]]] = {
    "entry": (entry, sorted((ROOT / "catalog").glob("*.yaml"))),
    "policy": (
        typed_errors_only(lambda data: parse_policy("policies/fuzzed.yaml", data, RULES)),
        sorted((ROOT / "policies").glob("*.yaml")),
    ),
    "organisation": (typed_errors_only(parse_organization), [ROOT / "martechgate.yaml"]),
    "okta": (
        export(okta.read),
        [ROOT / "tests/fixtures/real/okta-system-log-list.json", ROOT / "tests/fixtures/real/okta-system-log-sso.json"],
    ),
    "entra": (export(entra.read), [ROOT / "tests/fixtures/real/entra-signins.json"]),
    "google": (export(google.read), [ROOT / "tests/fixtures/real/google-token-activity.json"]),
    "expenses": (export(expenses.read), []),
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python bench/fuzz.py {{{','.join(TARGETS)}}} [libFuzzer options]")
    target, seeds = TARGETS[sys.argv[1]]
    corpus = Path(tempfile.mkdtemp(prefix=f"martechgate-fuzz-{sys.argv[1]}-"))
    for seed in seeds:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    if sys.argv[1] == "expenses":
        (corpus / "card.csv").write_text(
            "Date,Merchant,Amount,Currency,Employee\n2026-03-01,CANVA* 02837-2938,119.99,USD,ann@example.com\n"
        )
    print(f"fuzzing {sys.argv[1]} from {len(os.listdir(corpus))} seeds in {corpus}", flush=True)
    atheris.Setup([sys.argv[0], *sys.argv[2:], str(corpus)], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
