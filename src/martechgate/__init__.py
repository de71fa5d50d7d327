"""martechgate: policy-as-code governance for SaaS onboarding."""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here (setuptools dynamic version).
__version__ = "0.1.0"
