"""Expense and card exports (CSV): column names, encodings, line endings, amounts, malformed rows."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from martechgate.discovery import expenses, match
from martechgate.discovery.expenses import CsvOptions, merchant_name, parse_amount, parse_map
from martechgate.discovery.usage import Notice, RowProblem, UsageRow
from martechgate.errors import UsageError

HEADER = "Date,Merchant,Amount,Currency,Employee,Cost Center,MCC"


def read(
    tmp_path: Path, content: str | bytes, options: CsvOptions | None = None, name: str = "card.csv"
) -> list[object]:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return list(expenses.read(str(path), options))


def rows_of(items: list[object]) -> list[UsageRow]:
    return [item for item in items if isinstance(item, UsageRow)]


def problems_of(items: list[object]) -> list[tuple[str, str]]:
    return [(item.where, item.reason) for item in items if isinstance(item, RowProblem)]


def test_usual_columns_found_by_name(tmp_path: Path) -> None:
    items = read(tmp_path, f"{HEADER}\n2026-03-01,CANVA* 02837-2938,119.99,usd,Ann@Example.com,Brand,5817\n")
    (row,) = rows_of(items)
    assert (row.app_name, row.app_key, row.spend, row.currency, row.user, row.department, row.mcc) == (
        "Canva",
        "canva",
        Decimal("119.99"),
        "USD",
        "ann@example.com",
        "Brand",
        "5817",
    )
    assert row.seen.isoformat() == "2026-03-01T00:00:00+00:00"


def test_bom_and_crlf_and_quoted_newline(tmp_path: Path) -> None:
    content = (
        f'\ufeff{HEADER}\r\n2026-03-01,"Hootsuite, Inc.",49.00,USD,a@x.com,Social,7372\r\n'
        '2026-03-02,"Notion\r\nLabs",10,USD,b@x.com,Ops,7372\r\n'
        "2026-03-03,Figma,15,USD,c@x.com,Brand,7372\r\n"
    )
    items = read(tmp_path, content.encode("utf-8"))
    rows = rows_of(items)
    assert [r.app_name for r in rows] == ["Hootsuite", "Notion Labs", "Figma"]
    assert not problems_of(items)


def test_malformed_rows_reported_by_physical_line(tmp_path: Path) -> None:
    content = (
        f"{HEADER}\n"
        "2026-03-01,Canva,12.00,USD,a@x.com,Brand,5817\n"  # line 2: fine
        '"2026-03-02","Multi\nline",1,USD,a@x.com,Brand,7372\n'  # lines 3-4: fine
        "not a date,Canva,12.00,USD,a@x.com,Brand,5817\n"  # line 5
        "2026-03-01,,12.00,USD,a@x.com,Brand,5817\n"  # line 6
        "2026-03-01,Canva,twelve,USD,a@x.com,Brand,5817\n"  # line 7
        "2026-03-01,Canva,12.00,DOLLARS,a@x.com,Brand,5817\n"  # line 8
        "2026-03-01,Canva,12.00,USD,a@x.com,Brand,58X7\n"  # line 9
        "\n"  # line 10: blank, not data
        "2026-03-01,Canva\n"
    )  # line 11: short row
    items = read(tmp_path, content)
    assert len(rows_of(items)) == 2
    assert problems_of(items) == [
        ("line 5", "date 'not a date' is not YYYY-MM-DD (or pass --date-format)"),
        ("line 6", "no merchant"),
        ("line 7", "amount 'twelve' is not a number"),
        ("line 8", "currency 'DOLLARS' is not a 3-letter ISO 4217 code"),
        ("line 9", "merchant category code '58X7' is not 4 digits"),
        ("line 11", "amount '' is not a number"),
    ]


def test_non_utf8_file_read_as_windows_1252_and_said_once(tmp_path: Path) -> None:
    content = (
        f"{HEADER}\n2026-03-01,Caf\u00e9 Design,12.00,EUR,a@x.com,Brand,7372\n"
        f"2026-03-02,Bj\u00f6rk Tools,3.00,EUR,b@x.com,Brand,7372\n"
    )
    items = read(tmp_path, content.encode("cp1252"))
    assert [r.app_name for r in rows_of(items)] == ["Caf\u00e9 Design", "Bj\u00f6rk Tools"]
    notices = [item for item in items if isinstance(item, Notice)]
    assert len(notices) == 1 and notices[0].where == "line 2" and "cp1252" in notices[0].message


def test_explicit_encoding(tmp_path: Path) -> None:
    content = f"{HEADER}\n2026-03-01,\u00c5ngstr\u00f6m,1,SEK,a@x.com,R,7372\n".encode("utf-16")
    items = read(tmp_path, content, CsvOptions(encoding="utf-16"))
    assert [(r.app_name, r.currency) for r in rows_of(items)] == [("\u00c5ngstr\u00f6m", "SEK")]
    assert not problems_of(items)


def test_huge_field_is_a_malformed_row_and_reading_goes_on(tmp_path: Path) -> None:
    huge = "x" * (expenses.MAX_FIELD + 10)
    content = (
        f"{HEADER}\n2026-03-01,Canva,1,USD,a@x.com,B,7372\n"
        f'2026-03-01,"{huge}",1,USD,a@x.com,B,7372\n'
        f"2026-03-01,Figma,1,USD,a@x.com,B,7372\n"
    )
    items = read(tmp_path, content)
    assert [r.app_name for r in rows_of(items)] == ["Canva", "Figma"]
    (problem,) = problems_of(items)
    assert problem[0] == "line 3" and "field larger than field limit" in problem[1]


def test_long_merchant_is_malformed_not_an_app(tmp_path: Path) -> None:
    items = read(tmp_path, f"{HEADER}\n2026-03-01,{'M' * 500},1,USD,a@x.com,B,7372\n")
    assert problems_of(items) == [("line 2", "merchant is 500 characters long (over 200)")]


def test_csv_map_and_date_format_and_default_currency(tmp_path: Path) -> None:
    content = 'Posted,Vendor,Total,Cardholder\n03/15/2026,SQ *CALENDLY,"$1,200.50",ann@x.com\n'
    options = CsvOptions(parse_map("date=Posted, merchant=Vendor,amount=Total"), currency="EUR", date_format="%m/%d/%Y")
    (row,) = rows_of(read(tmp_path, content, options))
    assert (row.app_name, row.spend, row.currency, row.seen.date().isoformat(), row.user) == (
        "Calendly",
        Decimal("1200.50"),
        "EUR",
        "2026-03-15",
        "ann@x.com",
    )


def test_missing_required_column_names_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        read(tmp_path, "When,Who,HowMuch\n2026-01-01,x,1\n")
    assert "no date, merchant, amount column among: When, Who, HowMuch" in str(caught.value)
    assert "--csv-map date=<column>,merchant=<column>,amount=<column>" in str(caught.value)


def test_csv_map_naming_a_missing_column(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="names no column"):
        read(tmp_path, f"{HEADER}\n", CsvOptions({"merchant": "Payee"}))


@pytest.mark.parametrize("text", ["merchant", "shop=Vendor", "merchant="])
def test_bad_csv_map(text: str) -> None:
    with pytest.raises(UsageError):
        parse_map(text)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is empty"):
        read(tmp_path, "")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.50", "12.50"),
        ("$1,234.56", "1234.56"),
        ("(12.00)", "-12.00"),
        ("-3", "-3"),
        ("1.234,56", "1234.56"),
        ("12,5", "12.5"),
        ("EUR 99", "99"),
        ("", None),
        ("abc", None),
        ("NaN", None),
    ],
)
def test_amounts(text: str, amount: str | None) -> None:
    assert parse_amount(text) == (Decimal(amount) if amount is not None else None)


@pytest.mark.parametrize(
    ("raw", "name", "domains"),
    [
        ("CANVA* 02837-2938", "Canva", ()),
        ("SQ *CALENDLY", "Calendly", ()),
        ("PAYPAL *NOTION", "Notion", ()),
        ("ZOOM.US 888-799-9666", "Zoom", ("zoom.us",)),
        ("HUBSPOT INC", "HubSpot", ()),
        ("Hootsuite Inc.", "Hootsuite", ()),
        ("AHREFS PTE LTD", "Ahrefs Pte", ()),
        ("WWW.SEMRUSH.COM", "Semrush", ("www.semrush.com",)),
    ],
)
def test_merchant_names(raw: str, name: str, domains: tuple[str, ...]) -> None:
    assert merchant_name(raw) == (name, domains)


def test_control_characters_in_merchant_are_blanked(tmp_path: Path) -> None:
    (row,) = rows_of(read(tmp_path, f'{HEADER}\n2026-03-01,"Bad\x1b]0;x\x07Tool",1,USD,a@x.com,B,7372\n'))
    assert row.app_name == "Bad ]0;x Tool"


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=400))
def test_any_bytes_after_the_header_give_rows_problems_or_notes_never_a_crash(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(HEADER.encode() + b"\n" + body)
        for item in expenses.read(str(path)):
            assert isinstance(item, UsageRow | RowProblem | Notice)


def test_searches_in_a_description_start_where_a_run_starts() -> None:
    # Started from inside a run of spaces or labels, each search failed again to the run's end: 50,000
    # spaces in a merchant or app name took two minutes. They start only where a run starts now.
    assert expenses._DOMAIN.search("ab.calendly.com", 1) is None
    assert expenses._DOMAIN.search("ab.calendly.com", 3) is None
    assert expenses._SUFFIX.search("acme  inc", 5) is None
    assert expenses._REFERENCE.search("zoom  12345", 5) is None
    assert match._VENDOR_SUFFIX.search("acme  inc", 5) is None
    assert expenses._DOMAIN.findall("Paid WWW.CALENDLY.COM, notion.so and x.y.co.uk") == [
        "WWW.CALENDLY.COM",
        "notion.so",
        "x.y.co.uk",
    ]
    assert match._VENDOR_SUFFIX.sub("", "Acme,  Inc.") == "Acme"
    assert expenses._REFERENCE.sub("", "ZOOM.US 888-799-9666") == "ZOOM.US"
    long = "a" + " " * 50_000 + "b"
    assert expenses._SUFFIX.sub("", long) == long and match._VENDOR_SUFFIX.sub("", long) == long
    assert expenses._DOMAIN.findall("a." * 25_000 + "!") == []
