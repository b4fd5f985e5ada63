"""Status badges in Streamlit markdown (:color-badge[…])."""

from __future__ import annotations

from .markup import md

STATUS_COLORS = {"可申请": "green", "需补充条件": "orange", "信息不足": "blue", "已过期": "gray"}
STATUS_ICONS = {
    "可申请": ":material/check_circle:",
    "需补充条件": ":material/pending:",
    "信息不足": ":material/help:",
    "已过期": ":material/history:",
}
READINESS_COLORS = {"已满足": "green", "已持有": "blue", "未满足": "red", "信息不足": "gray"}


def badge(label: str, color: str = "gray", icon: str = "") -> str:
    return f":{color}-badge[{icon + ' ' if icon else ''}{md(label)}]"


def status_badge(label: str) -> str:
    return badge(label, STATUS_COLORS.get(label, "gray"), STATUS_ICONS.get(label, ""))


def readiness_badge(label: str) -> str:
    return badge(label, READINESS_COLORS.get(label, "gray"))
