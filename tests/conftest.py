"""Shared fixtures: real governance repos, made with real git in tmp_path, with fixed dates."""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import subprocess
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import martechgate

ROOT = Path(__file__).resolve().parents[1]
# Where the martechgate under test is imported from: src/ in a checkout, site-packages when
# `.ci/run wheel` tests the built wheel. Subprocesses get this folder on PYTHONPATH, never src/ blindly.
SRC = Path(martechgate.__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)
# Examples published by GitHub, OASIS, Okta, Microsoft and Google (tests/fixtures/real/SOURCES.md).
FIXTURES = ROOT / "tests" / "fixtures" / "real"
# The `browser` fixture: real headless Chromium, one a test process, a fresh tab a test.
pytest_plugins = ["tests.browsing"]

# A low-risk tool that passes every policy of the default pack as of TODAY.
BASE_ENTRY: dict[str, Any] = {
    "apiVersion": "martechgate/v1",
    "id": "placeholder",
    "name": "Placeholder Tool",
    "vendor": {"name": "Example Vendor, Inc.", "website": "https://vendor.example.com", "country": "US"},
    "category": "design",
    "purpose": "Design social graphics",
    "capabilities": ["graphics"],
    "status": "approved",
    "alternative": None,
    "owners": {"business": "jane.doe@example.com", "technical": "raj.patel@example.com", "department": "brand"},
    "data": {
        "classification": "internal",
        "categories": ["none"],
        "subjects": [],
        "residency": ["US"],
        "transfer_mechanism": "none",
        "retention_days": 365,
    },
    "security": {"sso": "saml", "mfa": "enforced", "scim": True, "evidence": []},
    "agreements": {"dpa": True, "baa": False, "ccpa_service_provider": False},
    "integrations": [],
    "contract": {
        "annual_cost": 1200,
        "currency": "USD",
        "payment": "invoice",
        "seats": 5,
        "start": "2026-01-01",
        "renewal": "2027-06-01",
        "auto_renew": False,
        "notice_days": 30,
        "implementation_cost": 0,
        "support_hours_month": 1,
    },
    "review": {"risk_tier": "low", "last_reviewed": "2026-06-01", "next_review": "2027-06-01"},
}


def entry(entry_id: str, **overrides: Any) -> dict[str, Any]:
    """BASE_ENTRY with the id set and top-level fields replaced (None deletes a field)."""
    data = copy.deepcopy(BASE_ENTRY)
    data["id"] = entry_id
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


class GovRepo:
    """A governance repo in a real git repository, with the project's own organisation file and policies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tick = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test Author")
        self.git("config", "user.email", "author@example.com")
        self.git("config", "commit.gpgsign", "false")
        shutil.copy(ROOT / "martechgate.yaml", path / "martechgate.yaml")
        shutil.copytree(ROOT / "policies", path / "policies")
        (path / "catalog").mkdir()

    def git(self, *args: str, date_text: str | None = None) -> str:
        env = dict(os.environ)
        if date_text:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date_text
        result = subprocess.run(["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True)
        return result.stdout.strip()

    def write(self, relative: str, content: str | bytes) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def add_entry(self, entry_id: str, **overrides: Any) -> Path:
        return self.write(f"catalog/{entry_id}.yaml", dump(entry(entry_id, **overrides)))

    def commit(self, message: str, when: str | None = None, author: str | None = None) -> str:
        """Commit everything; `when` is an ISO date-time (default: a fixed clock, one hour a commit)."""
        self.tick += 1
        stamp = when or f"2026-01-01T{self.tick % 24:02d}:00:00+00:00"
        self.git("add", "-A")
        args = ["commit", "-q", "--allow-empty", "-m", message]
        if author:
            args += ["--author", author]
        self.git(*args, date_text=stamp)
        return self.git("rev-parse", "HEAD")

    def copy_to(self, path: Path) -> GovRepo:
        """The same repository, history and clock in a new folder: a real copy, no git process started."""
        shutil.copytree(self.path, path, symlinks=True)
        twin = GovRepo.__new__(GovRepo)
        twin.path, twin.tick = path, self.tick
        return twin


@pytest.fixture
def own(tmp_path: Path) -> Path:
    """A copy of this repo's own catalog, policies and organisation file (not a git repository)."""
    repo = tmp_path / "own"
    for part in ("catalog", "policies"):
        shutil.copytree(ROOT / part, repo / part)
    shutil.copy(ROOT / "martechgate.yaml", repo)
    return repo


@pytest.fixture(scope="session")
def gov_template(tmp_path_factory: pytest.TempPathFactory) -> GovRepo:
    """The `gov` repo, made once per test process; never changed, only copied (commits have fixed dates, so
    a copy is the very repository a fresh `git init` and commit would make)."""
    repo = GovRepo(tmp_path_factory.mktemp("template") / "gov")
    repo.commit("Start the governance repo")
    return repo


@pytest.fixture
def gov(tmp_path: Path, gov_template: GovRepo) -> GovRepo:
    """A governance repo with the default pack and no entries, committed once on main."""
    return gov_template.copy_to(tmp_path / "gov")


def run_in_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `martechgate` command in this process: the same code, options, exit codes and output as
    `python -m martechgate`, without a new interpreter importing everything again (that start-up was most
    of the suite's CPU time). click's CliRunner gives the command its own stdin, stdout, stderr and
    environment and restores them after."""
    from click.testing import CliRunner

    from martechgate.cli import main

    with contextlib.chdir(cwd or os.getcwd()):
        result = CliRunner().invoke(main, list(args), input=input_text, env=env, prog_name="martechgate")
    stderr = result.stderr
    if result.exc_info is not None and not issubclass(result.exc_info[0], SystemExit):
        # What the interpreter would have printed: a test that looks for "Traceback" must still see one.
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["martechgate", *args], result.exit_code, result.stdout, stderr)


def run_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m martechgate` in a new process: for what only a process shows (the interpreter's start,
    its locale and signals, a pipe closed by the reader, the installed wheel)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(SRC) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "martechgate", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        input=input_text,
        timeout=120,
    )


@pytest.fixture
def run_cli() -> Any:
    """The command line, run in this process; a test that needs a real process calls `run_process`."""
    return run_in_process


def pytest_report_header() -> str:
    return f"martechgate {martechgate.__version__} from {SRC}"


def pytest_configure(config: pytest.Config) -> None:
    # `.ci/run wheel` sets this: a suite that silently imported src/ would not have tested the wheel.
    if os.environ.get("MARTECHGATE_TEST_INSTALLED") and SRC == ROOT / "src":
        raise pytest.UsageError(f"MARTECHGATE_TEST_INSTALLED is set but martechgate is imported from {SRC}")


@pytest.fixture
def ci_key(tmp_path: Path) -> Any:
    """CI's signing key for approval records: a real ed25519 key made by ssh-keygen."""
    from tests.recording import make_key

    return make_key(tmp_path / "ci-key")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own result cache folder, never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("MARTECHGATE_CACHE_DIR", str(folder))
    return folder
