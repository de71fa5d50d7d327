"""martechgate: policy-as-code governance for SaaS onboarding."""

from __future__ import annotations

__version__ = "0.1.0"
