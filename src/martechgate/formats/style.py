"""Colour and weight for text meant for a terminal: the one place output is styled (rich writes the
ANSI codes), so no format needs the command-line library."""

from __future__ import annotations

from rich.color import ColorSystem
from rich.style import Style


def style(text: str, color: bool, *, fg: str | None = None, bold: bool = False) -> str:
    """`text` in colour `fg` (a standard terminal colour name), bold or not; unchanged when `color` is off."""
    if not color:
        return text
    return Style(color=fg, bold=bold).render(text, color_system=ColorSystem.STANDARD)
