"""How fast `martechgate discover` reads large exports, and in how much memory.

Generates, in a temporary folder, a 1,000,000-event Okta System Log export (as a JSON array and as
NDJSON; events shaped like Okta's published `user.authentication.sso` example, ~900 bytes each), as
many Google Workspace token activities (NDJSON, shaped like the Reports API's documented example) and
a 1,000,000-row expense CSV, then runs discovery on each against the repo's own catalog (the JSON files
row by row and, `-duckdb`, aggregated by their source's SQL on DuckDB), each case in its own process so its
peak RSS is its own. Prints rows/s, elapsed and CPU seconds (on a shared
machine the CPU time is the steadier figure), and peak RSS.

    python bench/bench_discover.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

APPS = [
    "HubSpot Marketing Hub",
    "Salesforce",
    "Canva",
    "Figma",
    "Notion",
    "Calendly",
    "Loom",
    "Miro",
    "Workplace by Facebook",
    "Semrush",
    "Hootsuite",
    "Zoom",
    "Typeform",
    "Airtable",
    "Asana",
    "Gong",
    "Hotjar",
    "Vidyard",
    "Later",
    "Buffer",
    "Ahrefs",
    "Grammarly",
    "ChatGPT",
    "Jasper",
    "Unbounce",
]
MERCHANTS = [
    "HUBSPOT INC",
    "CANVA* 02837-2938",
    "SQ *CALENDLY",
    "NOTION LABS",
    "ZOOM.US 888-799-9666",
    "FIGMA",
    "PAYPAL *HOTJAR",
    "STARBUCKS 1234",
    "UNITED AIRLINES",
    "AHREFS PTE LTD",
]
MCCS = ["7372", "5734", "7372", "7372", "4816", "5817", "7372", "5814", "3000", "7372"]
OKTA_EVENT = (
    '{{"uuid":"{i:08x}-dcbb-4380-a778-eb85d0a2c182",'
    '"published":"2026-{month:02d}-{day:02d}T{hour:02d}:55:53.515Z","eventType":"{event_type}",'
    '"displayMessage":"User single sign on to app","severity":"INFO","version":"0",'
    '"outcome":{{"result":"SUCCESS","reason":null}},"actor":{{"id":"00u1ae58uup0y5Qkg1d8","type":"User",'
    '"alternateId":"user{user}@example.com","displayName":"User {user}","detailEntry":null}},'
    '"client":{{"ipAddress":"208.223.254.3","zone":null,"device":"Computer"}},'
    '"authenticationContext":{{"externalSessionId":"102-EXKTC7eQGeB2NoV7pdHmw"}},"securityContext":{{}},'
    '"debugContext":{{"debugData":{{"initiationType":"IDP_INITIATED"}}}},'
    '"transaction":{{"type":"WEB","id":"WO6UWSeI@4LKXKr0eDMlWQAAA84","detail":{{}}}},'
    '"request":{{"ipChain":[{{"ip":"208.223.254.3","version":"V4","source":null}}]}},'
    '"target":[{{"id":"0oa{app:017d}","type":"AppInstance","alternateId":{name},"displayName":{name},'
    '"detailEntry":{{"signOnModeType":"SAML_2_0"}}}},{{"id":"0ua1ae5gw9d37jzgJ1d8","type":"AppUser",'
    '"alternateId":"user{user}@example.com","displayName":"User {user}","detailEntry":null}}]}}'
)


GOOGLE_ACTIVITY = (
    '{{"kind":"admin#reports#activity","id":{{"time":"2026-{month:02d}-{day:02d}T{hour:02d}:42:31.789Z",'
    '"uniqueQualifier":"{i}","applicationName":"token","customerId":"C0123"}},'
    '"actor":{{"email":"user{user}@example.com","profileId":"1134565491472817{user:05d}"}},'
    '"ipAddress":"1.2.3.4","events":[{{"type":"auth","name":"{event_name}","parameters":['
    '{{"name":"client_id","value":"{app}.apps.googleusercontent.com"}},'
    '{{"name":"app_name","value":{name}}},{{"name":"client_type","value":"WEB"}},'
    '{{"name":"scope","multiValue":["openid","https://www.googleapis.com/auth/drive"]}}]}}]}}'
)


def _event(i: int) -> dict[str, object]:
    """What every source's i-th generated event shares: when, who, and which app."""
    app = (i * 7) % len(APPS)
    return {
        "i": i,
        "month": 1 + i % 12,
        "day": 1 + i % 28,
        "hour": i % 24,
        "user": i % 5000,
        "app": app,
        "name": json.dumps(APPS[app]),
    }


def google_activity(i: int) -> str:
    event_name = "revoke" if i % 50 == 0 else ("authorize" if i % 10 == 0 else "activity")
    return GOOGLE_ACTIVITY.format(**_event(i), event_name=event_name)


def okta_event(i: int) -> str:
    event_type = "user.session.start" if i % 50 == 0 else "user.authentication.sso"
    return OKTA_EVENT.format(**_event(i), event_type=event_type)


def generate(folder: Path, rows: int) -> dict[str, Path]:
    array, ndjson, expenses = folder / "okta.json", folder / "okta.ndjson", folder / "expenses.csv"
    google = folder / "google.ndjson"
    with open(google, "w") as out:
        out.writelines(google_activity(i) + "\n" for i in range(rows))
    with open(array, "w") as out_array, open(ndjson, "w") as out_lines:
        out_array.write("[\n")
        for i in range(rows):
            event = okta_event(i)
            out_array.write((",\n" if i else "") + event)
            out_lines.write(event + "\n")
        out_array.write("\n]\n")
    with open(expenses, "w", newline="") as out:
        out.write("Date,Merchant,Amount,Currency,Employee,Cost Center,MCC\r\n")
        for i in range(rows):
            m = i % len(MERCHANTS)
            out.write(
                f'2026-{1 + i % 12:02d}-{1 + i % 28:02d},"{MERCHANTS[m]}",{(i % 900) + 9.99:.2f},USD,'
                f"user{i % 5000}@example.com,CC-{i % 40},{MCCS[m]}\r\n"
            )
    return {"okta-array": array, "okta-ndjson": ndjson, "google-ndjson": google, "expenses-csv": expenses}


def run_case(kind: str, path: str, engine: str, rows: int) -> None:
    from martechgate.check.catalog import load_entries
    from martechgate.discovery.run import SourceSpec, discover
    from martechgate.sources.repo import WorkTree

    entries = [e.data for e in load_entries(WorkTree(ROOT)) if e.data is not None]
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = discover([SourceSpec(kind, path, fast=engine == "duckdb")], entries)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    stats = result.sources[0]
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    size = os.path.getsize(path)
    print(
        json.dumps(
            {
                "records": stats.records,
                "used": stats.used,
                "elapsed": elapsed,
                "cpu": cpu,
                "rows_per_s": rows / elapsed,  # every record of the file, used or skipped
                "mb_per_s": size / elapsed / 1e6,
                "file_mb": size / 1e6,
                "peak_rss_mb": peak_kib / 1024,
                "apps": len(result.apps),
                "unapproved": len(result.unapproved),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--case", nargs=4, metavar=("KIND", "FILE", "ENGINE", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        kind, path, engine, rows = args.case
        run_case(kind, path, engine, int(rows))
        return
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs{load}")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        files = generate(Path(folder), args.rows)
        print(f"generated {args.rows:,} rows per file in {time.perf_counter() - started:.1f} s")
        cases = [(case, path, "python") for case, path in files.items()]
        cases += [(f"{case}-duckdb", path, "duckdb") for case, path in files.items() if case != "expenses-csv"]
        for case, path, engine in cases:
            kind = case.split("-")[0]
            output = subprocess.run(
                [sys.executable, __file__, "--case", kind, str(path), engine, str(args.rows)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            figures = json.loads(output)
            print(
                f"{case:20} {figures['records']:>10,} rows  {figures['file_mb']:7.0f} MB  "
                f"{figures['elapsed']:6.1f} s (CPU {figures['cpu']:5.1f} s)  "
                f"{figures['rows_per_s']:>9,.0f} rows/s  "
                f"{figures['mb_per_s']:5.1f} MB/s  peak RSS {figures['peak_rss_mb']:6.1f} MB  "
                f"({figures['apps']} apps, {figures['unapproved']} not approved)"
            )


if __name__ == "__main__":
    main()
