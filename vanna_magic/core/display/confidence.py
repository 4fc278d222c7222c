"""The confidence badge of an answer: its level and the reasons that set it, in text and HTML."""

from __future__ import annotations

import html
from typing import Any

# level: (text colour, background); readable in light and dark themes alike
_COLOURS = {"high": ("#1b5e20", "#e3f4e4"), "medium": ("#6d4c00", "#fdf1d6"), "low": ("#8e1c1c", "#fbe3e3")}
_ADVICE = {"low": "check it before you use it", "medium": "", "high": ""}


def confidence_line(answer: Any) -> str | None:
    """``confidence: low (it found nothing; repaired once): check it before you use it``, or None."""
    confidence = getattr(answer, "confidence", None)
    if confidence is None:
        return None
    reasons = f" ({'; '.join(confidence.reasons)})" if confidence.reasons else ""
    advice = _ADVICE.get(confidence.level, "")
    return f"confidence: {confidence.level}{reasons}" + (f": {advice}" if advice else "")


def confidence_badge(answer: Any) -> str:
    """A small coloured badge with the reasons beside it (HTML), or an empty string."""
    confidence = getattr(answer, "confidence", None)
    if confidence is None:
        return ""
    colour, background = _COLOURS.get(confidence.level, ("#444", "#eee"))
    reasons = "; ".join(confidence.reasons)
    advice = _ADVICE.get(confidence.level, "")
    detail = html.escape(reasons + (f": {advice}" if advice and reasons else advice))
    return (f"<div class='vanna-confidence vanna-confidence-{html.escape(confidence.level)}' "
            "style='font-size:90%;margin:4px 0'>"
            f"<span style='color:{colour};background:{background};border-radius:8px;padding:1px 8px;"
            f"font-weight:600' title='{html.escape(reasons)}'>confidence: {html.escape(confidence.level)}</span>"
            + (f" <span style='color:#666'>{detail}</span>" if detail else "") + "</div>")
