"""The registry's fixed vocabularies (kept free of SQLAlchemy so the command line starts fast)."""

POOL_STAGES = ("储备", "培育", "提升")  # 企业培育库: 分类入库, 动态调整
FOLLOW_UPS = ("待申报", "已申报", "已获批", "未获批")  # an application's: open, in progress, two outcomes
# a 可关注 lead's (an industry priority, service or contact to look into, not a project to apply for): open, passed
# on to the enterprise (whom to contact, what it offers), or not for this enterprise; 不适用 needs its reason,
# as 未获批 does and as 不适用 feedback does
LEAD_FOLLOW_UPS = ("待了解", "已告知", "不适用")
NEEDS_REASON = ("未获批", "不适用")  # follow-up states that are refused without a reason
LEAD_STATE = "lead"  # the match state of a lead (eligibility.status.LEAD, spelled here: this module loads no numpy)
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


def follow_ups(match_status: str) -> tuple[str, ...]:
    """The follow-up states of a measure recorded with ``match_status`` (a SHOWN_STATES code), the first one
    its state when recorded: a lead's (LEAD_FOLLOW_UPS) or an application's (FOLLOW_UPS)."""
    return LEAD_FOLLOW_UPS if match_status == LEAD_STATE else FOLLOW_UPS
