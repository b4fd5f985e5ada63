"""The registry's fixed vocabularies (kept free of SQLAlchemy so the command line starts fast)."""

POOL_STAGES = ("储备", "培育", "提升")  # 企业培育库: 分类入库, 动态调整
FOLLOW_UPS = ("待申报", "已申报", "已获批", "未获批")
FEEDBACK_VERDICTS = ("有用", "不适用")
DOCUMENT_STATES = ("draft", "published")  # a document policy staff added: being reviewed, or live
DECISIONS = ("accepted", "edited", "rejected")  # what a reviewer did with one proposal
UNASSIGNED = "未分配"  # how an enterprise with no 专员 reads, on every page, sheet and command (one spelling)


def counsellor_text(name: str | None) -> str:
    """The 专员 as people read it: the name, or UNASSIGNED when there is none."""
    return name or UNASSIGNED


def counsellor_name(text: str | None) -> str | None:
    """A 专员 as stored: the name typed, trimmed; None for none, blank, or UNASSIGNED itself (typed as a name it
    looked unassigned while it was not: no 辅导员 saw the enterprise, and filters missed it)."""
    name = (text or "").strip()
    return None if not name or name == UNASSIGNED else name
