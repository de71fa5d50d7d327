"""init: start a new governance repo from the packaged starter (organisation, policies, one entry, CI)."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from martechgate.errors import UsageError
from martechgate.words import count

STARTER = "init"
# Packaging drops folders whose names start with a dot, so the starter keeps `.github` as `github`.
DOTTED = {"github/": ".github/"}


def _files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name == "__pycache__":
            continue
        relative = f"{prefix}{item.name}"
        found.extend(_files(item, relative + "/") if item.is_dir() else [(relative, item)])
    return found


def _target_name(name: str) -> str:
    for packaged, real in DOTTED.items():
        if name.startswith(packaged):
            return real + name[len(packaged) :]
    return name


def write_starter(target: Path) -> list[str]:
    """Copy the starter into `target`, refusing to overwrite anything that is there."""
    starter = resources.files("martechgate.templates").joinpath(STARTER)
    files = [(_target_name(name), item) for name, item in _files(starter)]
    clashes = [name for name, _ in files if (target / name).exists()]
    if clashes:
        raise UsageError(
            f"{target} already has {clashes[0]}; nothing was written",
            hint="Choose an empty or new folder for the new governance repo.",
        )
    for name, item in files:
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.read_bytes())
    return [name for name, _ in files]


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Start a governance repo in DIRECTORY: organisation file, policy pack, one example entry, CI."""
    written = write_starter(Path(directory))
    click.echo(f"Started a governance repo in {directory} ({count(len(written), 'file')}):")
    for name in written:
        click.echo(f"  {name}")
    click.echo(
        f"Next: edit martechgate.yaml (your groups and reviewers), then run `martechgate check {directory}` and commit."
    )
