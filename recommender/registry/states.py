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
