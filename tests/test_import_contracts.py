"""The layers hold (pyproject.toml's [tool.importlinter] contracts, as `lint-imports` checks them)."""

from __future__ import annotations

import tomllib

from importlinter import cli

from tests.conftest import ROOT

CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_the_import_contracts_are_kept() -> None:
    assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_every_part_of_the_package_has_a_layer_and_stays_away_from_click() -> None:
    package = ROOT / "src" / "martechgate"
    # Code, not data (templates/ holds init's starter files and the site's pages).
    parts = {
        f"martechgate.{path.stem if path.is_file() else path.name}"
        for path in package.iterdir()
        if (path.is_dir() and any(p.name != "__init__.py" for p in path.rglob("*.py")))
        or (path.suffix == ".py" and path.stem[0] != "_")
    }
    layers, _, _, click = CONFIG["contracts"]
    layered = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    assert parts - layered == set()
    assert parts - set(click["source_modules"]) == {"martechgate.cli"}
