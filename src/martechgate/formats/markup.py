"""Text from the catalog, the history or an export, made inert for Markdown (the one escaper every
Markdown format uses): it cannot add markup, links, HTML or @-mentions, or end a table cell."""

from __future__ import annotations

import re
from typing import Any

from martechgate.formats.controls import visible

# The text is always placed inline after other text, so only inline markup needs escaping
# (`$` opens GitHub's maths; `[` links; `|` ends a table cell).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


def escape(value: Any) -> str:
    """`value` as inert Markdown: one line, HTML and Markdown punctuation escaped, no mentions."""
    text = "" if value is None else str(value)
    text = visible(" ".join(text.split()))  # newlines would end a table row or start a block
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "&#64;").replace(":", "&#58;")  # no mentions; no autolinked schemes
