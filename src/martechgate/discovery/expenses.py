"""Expense reports and corporate card statements, as CSV.

Columns are found by their usual names (`Merchant`, `Vendor`, `Amount`, `Total`, `Cost Center`, ...,
any case); `--csv-map merchant=Payee,amount=Billed` names them where an export differs. Required:
date, merchant, amount. Optional: currency, employee, cost centre, merchant category code (MCC).

Exports come from many tools: a UTF-8 byte order mark, CRLF line endings and quoted fields with line
breaks are read as such. A line that is not UTF-8 is read as Windows-1252 (what spreadsheet programs
on Windows write), and said so once per file; `--csv-encoding` names another encoding.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO

from martechgate.check.names import slug
from martechgate.discovery import merchants
from martechgate.discovery.streams import TooLong, lines, open_binary
from martechgate.discovery.usage import (
    MAX_NAME,
    Notice,
    RowProblem,
    Skipped,
    UsageRow,
    parse_time,
    printable,
)
from martechgate.errors import UsageError

KIND = "expenses"
TITLE = "expense or card export (CSV: date, merchant, amount, currency, employee, cost centre, MCC)"
MAX_CSV_LINE = 4 * 1024 * 1024
MAX_FIELD = 1024 * 1024
FALLBACK_ENCODING = "cp1252"

# Field -> the header names that mean it, compared case-, space- and punctuation-insensitively.
FIELDS: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "transaction date",
        "trans date",
        "posted date",
        "posting date",
        "purchase date",
        "expense date",
        "timestamp",
    ),
    "merchant": ("merchant", "merchant name", "vendor", "vendor name", "payee", "supplier", "description"),
    "amount": ("amount", "total", "transaction amount", "billing amount", "billed amount", "amount usd"),
    "currency": ("currency", "currency code", "transaction currency", "billing currency"),
    "employee": (
        "employee",
        "employee email",
        "employee name",
        "email",
        "cardholder",
        "card holder",
        "cardholder email",
        "cardholder name",
        "user",
        "submitter",
    ),
    "cost_centre": ("cost centre", "cost center", "department", "dept"),
    "mcc": ("mcc", "merchant category code", "mcc code", "category code"),
}
FIELD_ALIASES = {
    "cost_center": "cost_centre",
    "costcentre": "cost_centre",
    "costcenter": "cost_centre",
    "department": "cost_centre",
    "merchant_category_code": "mcc",
}
REQUIRED = ("date", "merchant", "amount")


@dataclass(frozen=True)
class CsvOptions:
    columns: dict[str, str] = field(default_factory=dict)  # field -> header name, from --csv-map
    encoding: str | None = None  # None: UTF-8, falling back to FALLBACK_ENCODING per line
    currency: str | None = None  # for rows without a currency column or value
    date_format: str | None = None  # strptime format; None: ISO 8601


def parse_map(text: str) -> dict[str, str]:
    """`merchant=Vendor,amount=Total` -> {"merchant": "Vendor", "amount": "Total"}."""
    columns: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        key, sep, header = part.partition("=")
        key = key.strip().lower().replace("-", "_")
        key = FIELD_ALIASES.get(key, key)
        if not sep or not header.strip():
            raise UsageError(
                f"--csv-map {part!r} is not FIELD=COLUMN", hint="Write e.g. --csv-map merchant=Vendor,amount=Total"
            )
        if key not in FIELDS:
            raise UsageError(f"--csv-map names an unknown field {key!r}", hint=f"Fields: {', '.join(FIELDS)}")
        columns[key] = header.strip()
    return columns


def _norm(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def locate(header: list[str], options: CsvOptions, path: str) -> dict[str, int]:
    """Field -> column index, from --csv-map first, then the usual names."""
    normalised = [_norm(name) for name in header]
    found: dict[str, int] = {}
    for key, wanted in options.columns.items():
        target = _norm(wanted)
        if target not in normalised:
            raise UsageError(
                f"{path}: --csv-map {key}={wanted} names no column of this file",
                hint=f"Its columns: {', '.join(header)}",
            )
        found[key] = normalised.index(target)
    taken = set(found.values())
    for key, names in FIELDS.items():
        if key in found:
            continue
        for name in names:
            if name in normalised and normalised.index(name) not in taken:
                found[key] = normalised.index(name)
                taken.add(found[key])
                break
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        example = ",".join(f"{key}=<column>" for key in missing)
        raise UsageError(
            f"{path}: no {', '.join(missing)} column among: {', '.join(header)}",
            hint=f"Name the columns with --csv-map {example}",
        )
    return found


# Card processors put themselves in front of the merchant: `SQ *CALENDLY`, `PAYPAL *NOTION`.
_PROCESSOR = re.compile(r"^(?:SQ|SQU|TST|PP|PAYPAL|SP|FS|PADDLE(?:\.NET)?|STRIPE|DRI|2CO)\s*\*\s*", re.I)
# Each starts only where its run of labels or separators starts (the lookbehinds), as in match.py: a
# description of 25,000 "a." took 50 s to search for a domain.
_DOMAIN = re.compile(
    r"\b(?<![a-z0-9.-])((?:[a-z0-9-]+\.)+(?:com|net|org|io|co|ai|app|us|so|me|ly|tv|de|uk|fr|eu))\b", re.I
)
_SUFFIX = re.compile(r"(?<![\s,])[\s,]+(?:inc|llc|ltd|limited|gmbh|corp|corporation|co|pty|plc|bv|sa|sas|ag)\.?$", re.I)
_REFERENCE = re.compile(r"(?<!\s)\s+[#\w./-]*\d[#\w./-]*$")  # trailing tokens with digits: refs, phones


@lru_cache(maxsize=65536)  # card descriptors recur: one merchant bills every month
def merchant_name(raw: str) -> tuple[str, tuple[str, ...]]:
    """The product behind a card descriptor, and any domains it names:
    `CANVA* 0283729` -> `CANVA`; `ZOOM.US 888-799-9666` -> (`ZOOM.US`, (`zoom.us`,))."""
    text = " ".join(raw.split())
    domains = tuple(dict.fromkeys(match.lower() for match in _DOMAIN.findall(text)))
    text = _PROCESSOR.sub("", text)
    if "*" in text:
        head, _, tail = text.partition("*")
        text = head if head.strip() else tail
    previous = None
    while previous != text:
        previous = text
        text = _SUFFIX.sub("", _REFERENCE.sub("", text.strip())).strip(" ,.-")
    text = text or raw.strip()
    if merchants.canonical(text) != text:
        return merchants.canonical(text), domains
    if _DOMAIN.fullmatch(text):  # CALENDLY.COM is the product Calendly, as CALENDLY*PRO is
        text = text.rsplit(".", 1)[0].rsplit(".", 1)[-1]
    if text.isupper() or text.islower():
        text = text.title()  # card networks shout: CALENDLY is the product Calendly
    return merchants.canonical(text), domains


def parse_amount(text: str) -> Decimal | None:
    """`1,234.50`, `$1,234.50`, `(12.00)` (a refund), `-12`, `1.234,50` (European) -> Decimal."""
    value = text.strip()
    if value[:1].isdigit() and value[-1:].isdigit() and "," not in value:
        try:  # the common case, `123.45`, without the regular expressions below
            return Decimal(value)
        except InvalidOperation:
            pass
    negative = value.startswith("(") and value.endswith(")")
    value = re.sub(r"[^\d.,-]", "", value.strip("()"))
    if re.fullmatch(r"-?\d{1,3}(?:\.\d{3})*,\d{1,2}|-?\d+,\d{1,2}", value):
        value = value.replace(".", "").replace(",", ".")
    else:
        value = value.replace(",", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return -amount if negative else amount


class _Decoder:
    """Bytes lines -> text lines for the csv module, noting (not hiding) what it had to work around."""

    def __init__(self, path: str, encoding: str | None) -> None:
        self.path = path
        self.encoding = encoding
        self.pending: list[RowProblem | Notice] = []
        self.fell_back = False

    def decode(self, handle: IO[bytes]) -> Iterator[str]:
        if self.encoding:
            yield from self._decode_as(handle, self.encoding)
            return
        first = True
        for number, line in lines(handle, MAX_CSV_LINE):
            if isinstance(line, TooLong):
                self.pending.append(
                    RowProblem(self.path, f"line {number}", f"the line is over {MAX_CSV_LINE:,} bytes; skipped")
                )
                yield "\n"
                continue
            if first and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            first = False
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                if not self.fell_back:
                    self.fell_back = True
                    self.pending.append(
                        Notice(
                            self.path,
                            f"line {number}",
                            f"not UTF-8; this and later such lines were read as {FALLBACK_ENCODING} (Windows "
                            "Western). If names look wrong, pass --csv-encoding with the file's encoding",
                        )
                    )
                yield line.decode(FALLBACK_ENCODING, "replace")

    def _decode_as(self, handle: IO[bytes], encoding: str) -> Iterator[str]:
        """A named encoding may not be line-splittable as bytes (UTF-16): decode the stream."""
        text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        number = 0
        while line := text.readline(MAX_CSV_LINE + 1):
            number += 1
            if len(line) > MAX_CSV_LINE and not line.endswith("\n"):
                while (rest := text.readline(1 << 20)) and not rest.endswith("\n"):
                    pass
                self.pending.append(
                    RowProblem(self.path, f"line {number}", f"the line is over {MAX_CSV_LINE:,} characters; skipped")
                )
                yield "\n"
                continue
            yield line.removeprefix("\ufeff") if number == 1 else line


def read(path: str, options: CsvOptions | None = None) -> Iterator[UsageRow | Skipped | RowProblem | Notice]:
    options = options or CsvOptions()
    csv.field_size_limit(MAX_FIELD)
    with open_binary(path) as handle:
        decoder = _Decoder(path, options.encoding)
        reader = csv.reader(decoder.decode(handle))
        try:
            header = next(reader)
        except StopIteration:
            raise UsageError(f"{path} is empty", hint="Export the expense report again, with its header row.") from None
        except csv.Error as error:
            raise UsageError(f"{path}: the header row is not CSV ({error})") from None
        columns = locate(header, options, path)
        sample: list[tuple[int, list[str]]] = []  # rows read before the date format is known
        decided = options.date_format is not None
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                yield from decoder.pending
                decoder.pending.clear()
                yield RowProblem(path, f"line {start}", f"not CSV ({error})")
                continue
            if decoder.pending:
                yield from decoder.pending
                decoder.pending.clear()
            if not any(cell.strip() for cell in row):
                continue
            if not decided:
                sample.append((start, row))
                if len(sample) < DATE_SAMPLE:
                    continue
                options, notice = _with_detected_dates(path, options, sample, columns)
                decided = True
                yield from [notice] if notice else []
                yield from (_row(path, f"line {line}", cells, columns, options) for line, cells in sample)
                continue
            yield _row(path, f"line {start}", row, columns, options)
        if not decided and sample:
            options, notice = _with_detected_dates(path, options, sample, columns)
            yield from [notice] if notice else []
            yield from (_row(path, f"line {line}", cells, columns, options) for line, cells in sample)
        yield from decoder.pending


DATE_SAMPLE = 1_000  # rows whose dates decide a file's date format
_DAY_MONTH = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_EPOCH = re.compile(r"^\d{9,10}$")  # seconds since 1970: 2001-09-09 to 2286
EPOCH = "epoch"  # a date_format meaning seconds since 1970-01-01 UTC


def detect_date_format(values: list[str]) -> tuple[str | None, str | None]:
    """The date format of a file's dates (None: ISO 8601), and a note of what was detected.

    ISO (2026-12-31), epoch seconds, and day and month in either order (31/12/2026 or 12/31/2026,
    with / . or -): a first number over 12 makes it day first, a second one over 12 month first.
    Raises UsageError when every date could be either (all numbers 12 or less)."""
    values = [value for value in values if value]
    if not values or all(parse_time(value) is not None for value in values):
        return None, None
    if all(_EPOCH.match(value) for value in values):
        return EPOCH, "dates read as seconds since 1970 (detected)"
    parts = [_DAY_MONTH.match(value) for value in values]
    if not all(parts):
        return None, None  # mixed: each row that is not ISO is reported as malformed
    separator = parts[0].group(2) if parts[0] else "/"
    if any(int(part.group(1)) > 12 for part in parts if part):
        return f"%d{separator}%m{separator}%Y", f"dates read as day{separator}month{separator}year (detected)"
    if any(int(part.group(3)) > 12 for part in parts if part):
        return f"%m{separator}%d{separator}%Y", f"dates read as month{separator}day{separator}year (detected)"
    raise UsageError(
        f"the dates of this file ({values[0]!r}, ...) could be day/month or month/day: no number is over 12",
        hint="Say which with --date-format %m/%d/%Y (US) or --date-format %d/%m/%Y.",
    )


def _with_detected_dates(
    path: str, options: CsvOptions, sample: list[tuple[int, list[str]]], columns: dict[str, int]
) -> tuple[CsvOptions, Notice | None]:
    index = columns.get("date")
    values = [row[index].strip() for _, row in sample if index is not None and index < len(row)]
    try:
        found, note = detect_date_format(values)
    except UsageError as error:
        raise UsageError(f"{path}: {error.message}", hint=error.hint) from None
    if found is None:
        return options, None
    return replace(options, date_format=found), Notice(path, f"line {sample[0][0]}", note or "")


def _row(path: str, where: str, row: list[str], columns: dict[str, int], options: CsvOptions) -> UsageRow | RowProblem:
    def get(key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    raw_merchant = printable(get("merchant")).strip()
    if not raw_merchant:
        return RowProblem(path, where, "no merchant")
    if len(raw_merchant) > MAX_NAME:
        return RowProblem(path, where, f"merchant is {len(raw_merchant):,} characters long (over {MAX_NAME})")
    amount = parse_amount(get("amount"))
    if amount is None:
        return RowProblem(path, where, f"amount {get('amount')[:40]!r} is not a number")
    raw_date = get("date")
    seen = _parse_date(raw_date, options.date_format)
    if seen is None:
        expected = options.date_format or "YYYY-MM-DD (or pass --date-format)"
        return RowProblem(path, where, f"date {raw_date[:40]!r} is not {expected}")
    currency = (get("currency") or options.currency or "").upper()
    if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        return RowProblem(path, where, f"currency {currency[:20]!r} is not a 3-letter ISO 4217 code")
    mcc = get("mcc")
    if mcc and not (len(mcc) == 4 and mcc.isascii() and mcc.isdigit()):
        return RowProblem(path, where, f"merchant category code {mcc[:20]!r} is not 4 digits")
    name, domains = merchant_name(raw_merchant)
    employee = printable(get("employee")).lower()
    return UsageRow(
        KIND,
        slug(name) or slug(raw_merchant),
        name,
        employee[:MAX_NAME] or None,
        seen,
        app_ids=domains,
        department=printable(get("cost_centre"))[:MAX_NAME] or None,
        spend=amount,
        currency=currency or None,
        mcc=mcc or None,
    )


def _parse_date(text: str, date_format: str | None) -> datetime | None:
    if not date_format:
        return parse_time(text)
    if date_format == EPOCH:
        return datetime.fromtimestamp(int(text), UTC) if _EPOCH.match(text) else None
    try:
        return datetime.strptime(text, date_format).replace(tzinfo=UTC)
    except ValueError:
        return None
