"""The push list of a policy change: record the corpus as it is now, then list the registered
enterprises that clauses changed since a date make newly eligible, or no longer eligible."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..registry import push
from ..registry.access import Actor
from ..registry.documents import live_policy_files
from ..registry.enterprises import registered


@dataclass(frozen=True)
class PushReport:
    """What ``push_report`` found; ``as_dict`` is the command line's JSON document."""

    since: push.Since
    as_of: dt.date
    synced: push.SyncReport  # clause ids added, changed, removed by this sync
    changes: list[push.ClauseChange]  # clause changes since ``since``
    enterprises: int  # registered enterprises considered
    items: list[push.PushItem]  # per enterprise × changed clause whose eligibility moved

    def as_dict(self) -> dict[str, Any]:
        """The report as ``push --format json`` prints it (a contract: keys are added, never renamed or dropped).

        A change keeps its label under ``change`` (新增 …) and gives its code under ``change_code``
        (added …); the items are ``PushItem.as_dict``.
        """
        return {
            "since": self.since.isoformat(),  # a moment, when given, with its offset: 2026-12-01T14:30:00+08:00
            "as_of": self.as_of.isoformat(),
            "synced": {"added": self.synced.added, "changed": self.synced.changed, "removed": self.synced.removed},
            "changes": [
                {
                    "clause_id": c.clause_id,
                    "change": push.change_label(c.change),
                    "changed_on": c.changed_on.isoformat(),
                    "change_code": c.change,
                }
                for c in self.changes
            ],
            "enterprises": self.enterprises,
            "items": [i.as_dict() for i in self.items],
        }


def push_report(
    session: Session,
    since: push.Since,
    as_of: dt.date,
    by: Actor,
    counsellor: str | None = None,
    progress: push.Progress | None = None,
) -> PushReport:
    """Sync the live corpus (shipped and published added documents) into the registry and list whom the
    changes since ``since`` concern, judging validity at ``as_of``; only the enterprises of ``counsellor``
    when given, among those ``by`` may read (AccessDenied for the public). Runs in ``session``'s
    transaction (the sync is written with it). ``progress(done, total)`` is told the enterprises judged
    (``push.push_list``)."""
    synced = push.sync(session, live_policy_files(session))
    enterprises = registered(session, by, counsellor=counsellor)
    changes, items = push.push_list(session, since, as_of, by, enterprises=enterprises, progress=progress)
    return PushReport(since, as_of, synced, changes, len(enterprises), items)
