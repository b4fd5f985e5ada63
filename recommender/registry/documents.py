"""Documents policy staff add on the deployment: stored with their proposals, reviewed proposal by
proposal with versioned saves, published without a restart.

The shipped ``policies/`` stay the reviewed base; these rows are a layer over it. A clause's rule
is what its reviewers decided, and each proposal nobody has decided yet still counts but keeps the
clause unreviewed (``Clause.curated`` False), which every result, sheet and command line shows.
Every change needs 政策工作人员 or a 管理员 (``access``; AccessDenied otherwise).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..corpus_models import Clause, Condition, PolicyFile
from ..eligibility.size import SIZE_CLASSES
from ..ingest.clean import to_simplified
from ..proposals.metadata import document_meta
from ..vocab import BENEFITS, INDUSTRIES, KINDS, PROPOSED_NOTE, QUALIFICATIONS, REGIONS, STAGES
from ..yamlio import DataError
from .access import STAFF, Actor, require
from .enterprises import ConflictError, RegistryError
from .models import StaffClause, StaffDocument, StaffReview, now, shown_time

if TYPE_CHECKING:
    from ..proposals.document import DocumentProposal

FIELD_KEYS = ("kind", "benefits", "audience", "departments")  # the proposals every clause has
# a measure with no condition in force: someone must confirm that its text states none, one clause at a time
NO_CONDITIONS = "no_conditions"
KEY_LABELS = {
    "kind": "类别",
    "benefits": "受益类型",
    "audience": "对象",
    "departments": "责任部门",
    NO_CONDITIONS: "无适用条件",
}
ACTIONS = {"accepted": "采纳", "edited": "修改", "rejected": "驳回"}
REVIEWED_NOTE = "人工审核：{by} {at}"
MAX_ITEMS, MAX_ITEM = 20, 60  # audience / department entries: more or longer is a paste gone wrong


def condition_index(key: str) -> int | None:
    """The N of a proposal key ``eligibility.N`` (the Nth condition, proposed or added), else None."""
    head, _, number = key.partition(".")
    return int(number) if head == "eligibility" and number.isdigit() else None


def proposal_keys(row: StaffClause) -> list[str]:
    """The keys a reviewer decides on: the four fields, then ``eligibility.N`` per proposed condition, then
    ``NO_CONDITIONS`` when the clause is a measure with no condition in force (``needs_no_conditions``)."""
    keys = [*FIELD_KEYS, *(f"eligibility.{i}" for i in range(len(row.proposal["eligibility"])))]
    return [*keys, NO_CONDITIONS] if needs_no_conditions(row) else keys


def needs_no_conditions(row: StaffClause) -> bool:
    """Whether the clause is, as decided so far, a measure without any condition: a reviewer must say that its
    text states no condition before it is reviewed (it then shows as 可关注, nothing of the enterprise being
    checked: ``status.display_state``)."""
    kind, _ = _decided(row, "kind", row.proposal["kind"])
    return kind == "measure" and not _conditions_in_force(row)


def _conditions_in_force(row: StaffClause) -> list[tuple[int, Any]]:
    """(index, condition dict) of every condition in force: proposed ones not rejected (edited or not), then
    those reviewers added (a rejected one is withdrawn)."""
    out = []
    for i, proposed in enumerate(row.proposal["eligibility"]):
        value, _ = _decided(row, f"eligibility.{i}", proposed)
        if value is not None:
            out.append((i, value))
    proposed = len(row.proposal["eligibility"])
    out += sorted(
        (i, d["value"])
        for k, d in row.decisions.items()
        if (i := condition_index(k)) is not None and i >= proposed and d["action"] == "edited"
    )
    return out


def pending(row: StaffClause) -> list[str]:
    """The proposal keys of ``row`` nobody has decided yet."""
    return [k for k in proposal_keys(row) if k not in row.decisions]


def bulk_keys(row: StaffClause) -> list[str]:
    """The pending keys "其余 N 项全部采纳" may accept: all but ``NO_CONDITIONS``, which says that nobody needs
    to check anything and so is confirmed for each clause on its own, never in bulk."""
    return [k for k in pending(row) if k != NO_CONDITIONS]


def add_document(
    session: Session, proposal: DocumentProposal, by: Actor, shipped: Mapping[str, str | None]
) -> StaffDocument:
    """Store an uploaded document and its proposals as a draft. ``shipped``: the shipped corpus's policy
    ids and their 文号. RegistryError when the policy id is unusable or taken, or a document with the
    same 文号 is already in the library (shipped or added)."""
    require(by, (STAFF,), "上传政策文件")
    policy_id = proposal.meta["policy_id"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", str(policy_id)):
        raise RegistryError(f"文件编号“{policy_id}”只能用英文小写字母、数字和连字符（如 hp-kjcx-2024）")
    if policy_id in shipped or session.get(StaffDocument, policy_id) is not None:
        raise RegistryError(f"文件编号 {policy_id} 已在政策库中；同一文件请勿重复上传，或在元数据中换一个编号")
    added = list(session.scalars(select(StaffDocument)))
    text = _squeezed("".join(proposal.source.lines))
    if same := next((d.policy_id for d in added if _squeezed("".join(d.lines)) == text), None):
        raise RegistryError(f"同样内容的文件已在政策库中（编号 {same}）；同一文件请勿重复上传")
    if number := _squeezed(proposal.meta.get("doc_number")):
        numbers = {_squeezed(n): k for k, n in shipped.items()}
        numbers.update({_squeezed(d.meta.get("doc_number")): d.policy_id for d in added})
        if number in numbers:
            owner = numbers[number]
            # a shipped document is the project's own data (policies/), not a draft staff can delete
            replace = "它随系统提供，如需更新请联系维护人员" if owner in shipped else "如需替换请先删除原草稿"
            said = f"文号 {proposal.meta['doc_number']} 的文件已在政策库中（编号 {owner}）"
            raise RegistryError(f"{said}；同一文件请勿重复上传，{replace}")
    grams = _shingles(proposal.source.lines)
    for other in added:
        if (alike := _likeness(grams, _shingles(other.lines))) >= NEAR_COPY:
            raise RegistryError(
                f"与政策库中的《{other.meta.get('title') or other.policy_id}》（编号 {other.policy_id}）内容几乎相同"
                f"（相同 {alike:.0%}，繁简、全角半角和空白不计）；同一文件请勿重复上传，如需替换请先删除原草稿"
            )
    stamp = now()
    document = StaffDocument(
        policy_id=policy_id,
        state="draft",
        source_name=proposal.source.name,
        source_format=proposal.source.format,
        lines=list(proposal.source.lines),
        meta=dict(proposal.meta),
        meta_proposal=proposal.found.as_dict(),
        created_at=stamp,
        created_by=by.name,
        updated_at=stamp,
        updated_by=by.name,
    )
    for position, (clause, proposed) in enumerate(zip(proposal.clauses, proposal.proposals, strict=True)):
        document.clauses.append(
            StaffClause(
                clause_id=clause.id,
                position=position,
                clause=clause.model_dump(mode="json"),
                proposal=proposed.as_dict(),
                decisions={},
                updated_at=stamp,
                updated_by=by.name,
            )
        )
    session.add(document)
    session.flush()
    return document


def allowed_values(field: str) -> tuple[str, ...] | None:
    """The values a condition on ``field`` may list (the profile's vocabularies), None when free."""
    return {
        "region": REGIONS,
        "stage": STAGES,
        "qualifications": QUALIFICATIONS,
        "industry": tuple(i for i in INDUSTRIES if i != "其他"),
        "size_class": SIZE_CLASSES,
    }.get(field)


NEAR_COPY = 0.9  # documents sharing this share of their 4-character runs are one document (繁简、全半角 aside)


def _shingles(lines: list[str]) -> set[str]:
    """A document's text as the set of its 4-character runs, read as NFKC simplified Chinese with only letters,
    digits and ideographs kept: a copy in traditional characters or full-width digits, or without its 文号 and
    date lines, shares nearly all of them."""
    text = "".join(re.findall(r"\w", to_simplified(unicodedata.normalize("NFKC", "".join(lines)))))
    return {text[i : i + 4] for i in range(len(text) - 3)}


def _likeness(a: set[str], b: set[str]) -> float:
    """The share of runs the two sets have in common (Jaccard); 0 for two empty sets."""
    return len(a & b) / len(a | b) if a or b else 0.0


def _squeezed(text: str | None) -> str:
    """Text compared without whitespace ("" for none): a document's text, a 文号, a quote."""
    return re.sub(r"\s", "", text or "")


def _opened(document: StaffDocument, expected_version: int, undone: str) -> None:
    """ConflictError when ``document`` changed since it was opened at ``expected_version``; ``undone``
    says what was not done (未保存, 未发布, 未删除)."""
    if document.version != expected_version:
        raise ConflictError(
            f"文件 {document.policy_id} 已被 {document.updated_by} 于 {shown_time(document.updated_at)} 修改"
            f"（您打开的是第 {expected_version} 版，现在是第 {document.version} 版），本次{undone}，请刷新后重做"
        )


def delete_draft(session: Session, policy_id: str, expected_version: int, by: Actor) -> None:
    """Delete a document that was never published, with its clauses and review log. RegistryError for a
    published one (it is live: enterprises may have been told of it), ConflictError when it changed
    since opened; nothing of the draft is kept."""
    require(by, (STAFF,), "删除政策文件草稿")
    document = _get(session, policy_id)
    if document.state == "published":
        raise RegistryError(f"文件 {policy_id} 已发布，不能删除（已发布的文件可能已告知企业）")
    _opened(document, expected_version, "未删除")
    session.delete(document)
    session.flush()


def _checked(key: str, value: Any, row: StaffClause) -> Any:
    """An edited value in its stored form; RegistryError in Chinese when it is not a valid one."""
    if key == "kind":
        if value not in KINDS:
            raise RegistryError(f"类别须为 {', '.join(KINDS)} 之一")
        return value
    if key in ("benefits", "audience", "departments"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise RegistryError(f"{KEY_LABELS[key]}须为一组文字")
        if key == "benefits" and (wrong := [v for v in value if v not in BENEFITS]):
            raise RegistryError(f"未知的受益类型：{'、'.join(wrong)}")
        if len(value) > MAX_ITEMS or any(len(v.strip()) > MAX_ITEM for v in value):
            raise RegistryError(f"{KEY_LABELS[key]}最多 {MAX_ITEMS} 项，每项不超过 {MAX_ITEM} 字")
        return [v.strip() for v in value]
    try:
        condition = Condition.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RegistryError(f"条件有误：{first['msg']}") from None
    allowed = allowed_values(condition.field)
    if allowed is not None and (wrong := [v for v in condition.value if v not in allowed]):
        raise RegistryError(f"条件取值“{'、'.join(map(str, wrong))}”不可用；可选：{'、'.join(allowed)}")
    words = _squeezed(f"{row.clause.get('title') or ''}{row.clause['text']}{row.document.meta.get('title') or ''}")
    if _squeezed(condition.quote) not in words:
        raise RegistryError("原文依据须是该条原文（或文件标题）中的文字，请从原文复制")
    return condition.model_dump(mode="json", exclude_defaults=True)


def decide(
    session: Session, clause_id: str, key: str, action: str, value: Any, expected_version: int, by: Actor
) -> StaffClause:
    """Accept, edit or reject one proposal of a clause opened at ``expected_version``.

    ``key``: ``kind`` … or ``eligibility.N``; an ``eligibility.N`` past the proposed ones adds a
    condition (action ``edited``). ``value``: the edited value (a ``Condition`` dict for conditions),
    ignored for accept and reject. ConflictError when someone saved the clause since it was opened,
    RegistryError for an unknown key or action or a value that does not validate. Logged in ``staff_reviews``.
    """
    require(by, (STAFF,), "审核条款")
    row = session.scalar(select(StaffClause).where(StaffClause.clause_id == clause_id))
    if row is None:
        raise RegistryError(f"找不到条款 {clause_id}")
    if row.version != expected_version:
        raise ConflictError(
            f"条款 {clause_id} 已被 {row.updated_by} 于 {shown_time(row.updated_at)} 修改"
            f"（您打开的是第 {expected_version} 版，现在是第 {row.version} 版），本次未保存，请刷新后重做"
        )
    if action not in ACTIONS:
        raise RegistryError(f"未知的审核动作 {action}")
    condition = condition_index(key) is not None
    if key not in proposal_keys(row) and not (condition and (action == "edited" or key in row.decisions)):
        raise RegistryError(f"条款 {clause_id} 没有待审核项 {key}")
    if key == "kind" and action == "rejected":
        raise RegistryError("类别不能驳回，只能采纳或修改")
    if key == NO_CONDITIONS and action != "accepted":
        raise RegistryError("“无适用条件”只能确认；原文列有条件的，请添加条件")
    stored = _checked("eligibility" if condition else key, value, row) if action == "edited" else None
    stamp = now()
    decisions = dict(row.decisions)
    if condition:  # the conditions change: a confirmation that there is none no longer holds
        decisions.pop(NO_CONDITIONS, None)
    row.decisions = {**decisions, key: {"action": action, "value": stored, "by": by.name, "at": stamp.isoformat()}}
    row.updated_at, row.updated_by = stamp, by.name
    session.add(
        StaffReview(
            policy_id=row.policy_id,
            clause_id=clause_id,
            key=key,
            action=action,
            value=stored,
            reviewed_by=by.name,
            reviewed_at=stamp,
        )
    )
    try:
        session.flush()  # UPDATE … WHERE version = expected: matches nothing if another save came first
    except StaleDataError:
        raise ConflictError(f"条款 {clause_id} 刚被他人修改，本次未保存，请刷新后重做") from None
    return row


def accept_pending(session: Session, clause_id: str, expected_version: int, by: Actor) -> StaffClause:
    """Accept every proposal of a clause still pending (``bulk_keys``: never ``NO_CONDITIONS``), in one go;
    ``decide``'s checks and log for each. Accepting the kind may leave a measure without conditions, whose
    ``NO_CONDITIONS`` then stays pending: the clause stays unreviewed until someone confirms it."""
    row = session.scalar(select(StaffClause).where(StaffClause.clause_id == clause_id))
    if row is None:
        raise RegistryError(f"找不到条款 {clause_id}")
    version = expected_version
    for key in bulk_keys(row):
        row = decide(session, clause_id, key, "accepted", None, version, by)
        version = row.version
    return row


def update_meta(
    session: Session, policy_id: str, meta: dict[str, Any], expected_version: int, by: Actor
) -> StaffDocument:
    """Replace a document's metadata (the policy id stays); ConflictError when it changed since opened."""
    require(by, (STAFF,), "修改政策文件元数据")
    document = _get(session, policy_id)
    _opened(document, expected_version, "未保存")
    meta = {**meta, "policy_id": policy_id}
    if document.state == "published":
        document_meta(meta)  # a live document keeps complete metadata (DataError)
    document.meta = meta
    document.updated_at, document.updated_by = now(), by.name
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(f"文件 {policy_id} 刚被他人修改，本次未保存，请刷新后重做") from None
    return document


def publish(session: Session, policy_id: str, expected_version: int, by: Actor) -> StaffDocument:
    """Make a document live and record its clause versions (``push.sync`` over the shipped corpus and
    every published added document, so the push list of today names it). The metadata must be complete
    (DataError naming what is missing); ConflictError when the document changed since opened."""
    require(by, (STAFF,), "发布政策文件")
    document = _get(session, policy_id)
    document_meta(document.meta)  # complete and valid, or DataError
    _opened(document, expected_version, "未发布")
    stamp = now()
    document.state, document.published_at, document.published_by = "published", stamp, by.name
    document.updated_at, document.updated_by = stamp, by.name
    session.flush()
    from .push import sync

    sync(session, shipped_policies())  # a registry never synced dates the shipped clauses from their documents
    sync(session, live_policy_files(session))
    return document


def _get(session: Session, policy_id: str) -> StaffDocument:
    document = session.get(StaffDocument, policy_id)
    if document is None:
        raise RegistryError(f"找不到文件 {policy_id}")
    return document


def _decided(row: StaffClause, key: str, proposed: Any) -> tuple[Any, bool]:
    """The value in force for one proposal and whether it is decided (rejected lists are empty)."""
    decision = row.decisions.get(key)
    if decision is None:
        return proposed, False
    if decision["action"] == "edited":
        return decision["value"], True
    if decision["action"] == "rejected":
        return ([] if isinstance(proposed, list) else None), True
    return proposed, True


def effective(row: StaffClause) -> Clause:
    """The clause as its rule stands now: decisions applied, undecided proposals kept, unreviewed until
    every proposal is decided (for a measure without conditions, until someone confirmed there is none)."""
    values = {key: _decided(row, key, row.proposal[key]) for key in FIELD_KEYS}
    conditions = [Condition.model_validate(value) for _, value in _conditions_in_force(row)]
    done = not pending(row)
    reviewers = sorted({d["by"] for d in row.decisions.values()})
    note = REVIEWED_NOTE.format(by="、".join(reviewers), at=shown_time(row.updated_at)) if done else PROPOSED_NOTE
    return Clause.model_validate(
        {
            **row.clause,
            "kind": values["kind"][0],
            "benefits": values["benefits"][0],
            "audience": values["audience"][0],
            "lead_departments": values["departments"][0],
            "support_departments": [],
            "eligibility": [c.model_dump() for c in conditions],
            "note": note,
            "curated": done,
        }
    )


def staff_policies(
    session: Session, first_order: int, published_only: bool = True, skip: frozenset[str] = frozenset()
) -> list[PolicyFile]:
    """The added documents as policy files (after the ``first_order`` shipped ones), live ones only by
    default, except those whose id is in ``skip`` (the shipped corpus: a document exported and shipped).

    A document whose stored metadata or rule no longer validates is left out (it cannot be published so).
    """
    query = select(StaffDocument).order_by(StaffDocument.created_at, StaffDocument.policy_id)
    if published_only:
        query = query.where(StaffDocument.state == "published")
    out = []
    for document in session.scalars(query):
        if document.policy_id in skip:
            continue  # exported and shipped since: the shipped copy is the one in force
        try:
            meta = document_meta(document.meta)
            clauses = [effective(row) for row in document.clauses]
        except (DataError, ValueError):  # stored before a check existed: one bad document never stops the rest
            continue
        out.append(
            PolicyFile(
                source=f"upload:{document.source_name}", order=first_order + len(out), document=meta, clauses=clauses
            )
        )
    return out


def shipped_policies() -> list[PolicyFile]:
    """The shipped corpus (``policies/clauses``), as the engine's cache holds it (read once per process)."""
    from ..engine import Recommender

    return Recommender.load().policies


def shipped_numbers() -> dict[str, str | None]:
    """The shipped documents' policy ids with their 文号: an added document may take neither (``add_document``)."""
    return {p.document.policy_id: p.document.doc_number for p in shipped_policies()}


def live_policy_files(session: Session) -> list[PolicyFile]:
    """The shipped policy files and, after them, the published added ones, read in ``session``."""
    base = shipped_policies()
    return base + staff_policies(session, first_order=len(base), skip=frozenset(p.document.policy_id for p in base))


def stamp(session: Session) -> tuple[int, str]:
    """What changes whenever the live layer may have: (published documents, latest change); cache key."""
    count = session.scalar(select(func.count()).select_from(StaffDocument).where(StaffDocument.state == "published"))
    latest = max(
        filter(
            None,
            [
                session.scalar(select(func.max(StaffDocument.updated_at))),
                session.scalar(select(func.max(StaffClause.updated_at))),
            ],
        ),
        default=None,
    )
    return int(count or 0), latest.isoformat() if isinstance(latest, dt.datetime) else str(latest)


def documents(session: Session) -> list[StaffDocument]:
    """Every added document, newest first."""
    return list(session.scalars(select(StaffDocument).order_by(StaffDocument.created_at.desc())))


def reviews(session: Session, policy_id: str) -> list[StaffReview]:
    """Every decision taken on a document's proposals, oldest first."""
    query = select(StaffReview).where(StaffReview.policy_id == policy_id).order_by(StaffReview.id)
    return list(session.scalars(query))
