"""Text cut to a width for a line, a header or a list, the cut marked with "…"."""

from __future__ import annotations


def shortened(text: str, most: int) -> str:
    """``text`` when it has at most ``most`` characters, else its first ``most - 1`` and "…" (``most`` in all)."""
    return text if len(text) <= most else text[: most - 1] + "…"
