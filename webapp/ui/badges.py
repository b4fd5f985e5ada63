"""Status badges in Streamlit markdown (:color-badge[…]): colours and icons by status code, Chinese labels."""

from __future__ import annotations

from recommender.consultation import EXPIRED, LEAD, MeasureView, ReadinessItem, state_label
from recommender.eligibility.status import NOT_YET, UNREVIEWED
from recommender.registry.models import SHOWN_STATES

from .markup import md

STATUS_COLORS = {
    "eligible": "green",
    "partial": "orange",
    "unknown": "blue",
    LEAD: "violet",
    UNREVIEWED: "orange",
    EXPIRED: "gray",
    NOT_YET: "gray",
}
STATUS_ICONS = {
    "eligible": ":material/check_circle:",
    LEAD: ":material/campaign:",
    "partial": ":material/pending:",
    "unknown": ":material/help:",
    UNREVIEWED: ":material/rate_review:",
    EXPIRED: ":material/history:",
    NOT_YET: ":material/schedule:",
}
READINESS_COLORS = {"met": "green", "held": "blue", "not_met": "red", "unknown": "gray"}


def badge(label: str, color: str = "gray", icon: str = "") -> str:
    """A badge showing ``label`` (escaped for markdown)."""
    return f":{color}-badge[{icon + ' ' if icon else ''}{md(label)}]"


def state_badge(state: str) -> str:
    """The badge of a display state: a rule status code (eligible …), ``LEAD`` or ``EXPIRED``."""
    return badge(state_label(state), STATUS_COLORS.get(state, "gray"), STATUS_ICONS.get(state, ""))


def measure_badge(m: MeasureView) -> str:
    """A measure's badge: its status, 可关注 for a lead, or 已过期 when its document is not in force."""
    return state_badge(m.state)


def recorded_badge(state: str) -> str:
    """The badge of a state the registry stored with a consultation (as its code: eligible … or expired)."""
    return state_badge(state) if state in SHOWN_STATES else badge(state)


def readiness_badge(item: ReadinessItem) -> str:
    """A readiness check's badge: met, held, not met or unknown, with the checker's label."""
    return badge(item.status_label, READINESS_COLORS.get("held" if item.held else item.status, "gray"))
