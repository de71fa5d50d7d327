"""Print pip constraints that pin every dependency pyproject.toml declares to its lower bound.

The oldest-dependencies run installs with these (`pip install -c`), so the lower bounds the project
promises are the versions it is tested with: a bound that stops being true fails CI, not a user.
A requirement without a lower bound (`types-PyYAML`) is left to the resolver.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement


def lower_bounds(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins: dict[str, str] = {}
    for text in requirements:
        requirement = Requirement(text)
        for spec in requirement.specifier:
            if spec.operator in (">=", "=="):
                pins[requirement.name.lower()] = f"{requirement.name.lower()}=={spec.version}"
    return sorted(pins.values())


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    sys.stdout.write("".join(f"{line}\n" for line in lower_bounds(root / "pyproject.toml")))
