"""The governance repo the site tests build from: the project's own 25 tools, plus entries whose text
is an attack (a valid one, so its data flow is judged, and a broken one), one flow into a tool not
cleared for it, and commits by named authors for the history."""

from __future__ import annotations

import shutil

from tests.conftest import ROOT, GovRepo

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_PURPOSE = "</script><script>window.__xss = 1; alert(2)</script> & more"
XSS_VENDOR = '"><svg onload=alert(3)>'
XSS_DEPARTMENT = "</style><style>*{display:none}</style>"
XSS_TARGET = "<svg><script>alert(4)</script></svg>"
XSS_WEBSITE = "javascript:alert(5)"
XSS_SUBJECT = "Propose <b>xss-tool</b> <script>alert(6)</script>"
PAYLOADS = (
    XSS_NAME,
    XSS_PURPOSE,
    XSS_VENDOR,
    XSS_DEPARTMENT,
    XSS_TARGET,
    "<script>alert(6)</script>",
    "<b>xss-tool</b>",
)


def build_repo(gov: GovRepo) -> GovRepo:
    for path in sorted((ROOT / "catalog").glob("*.yaml")):
        shutil.copy(path, gov.path / "catalog" / path.name)
    gov.commit("Import the catalog", author="Alice Chen <alice@example.com>")
    gov.add_entry(
        "xss-tool",
        name=XSS_NAME,
        purpose=XSS_PURPOSE,
        category="design",
        vendor={"name": XSS_VENDOR, "website": "https://vendor.example.com", "country": "US"},
        owners={"business": "jane.doe@example.com", "technical": "raj.patel@example.com", "department": XSS_DEPARTMENT},
        # canva holds no personal data: sending behavioral data there is a flow into an uncleared tool
        integrations=[{"target": "canva", "direction": "outbound", "data": ["behavioral"], "method": "api"}],
        data={
            "classification": "internal",
            "categories": ["behavioral"],
            "subjects": ["visitors"],
            "residency": ["US"],
            "transfer_mechanism": "none",
            "retention_days": 365,
        },
    )
    gov.commit(XSS_SUBJECT, author="Mallory Quinn <mallory@example.com>")
    gov.write(
        "catalog/broken-tool.yaml",
        "apiVersion: martechgate/v1\nid: broken-tool\n"
        f"name: '{XSS_NAME}'\nvendor: {{name: x, website: '{XSS_WEBSITE}'}}\n"
        f"integrations:\n  - {{target: '{XSS_TARGET}', direction: outbound, data: [contact-pii]}}\n"
        "status: [not, a, status]\n",
    )
    gov.write("catalog/unreadable.yaml", "name: [unclosed\n")
    gov.commit("Add two broken entries", author="Bob Okafor <bob@example.com>")
    return gov
