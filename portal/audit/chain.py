"""The audit log's hash chain, as plain data: no Flask, no models (the migration uses it too).

Each entry's hash is SHA-256 of its canonical serialization: a JSON array of the format version,
the time (naive UTC, ISO 8601 with microseconds), the actor, the contest, the action, the target
and the detail (keys sorted, no spaces), and the previous entry's hash (64 zeros for the first).
Changing, inserting or deleting an entry breaks the link after it; a chain recomputed after such
a change no longer contains the hashes written down earlier (the daily anchors).
"""
import hashlib
import json
from datetime import timezone
from typing import NamedTuple

FORMAT = 1
GENESIS = "0" * 64


def canonical_detail(detail):
    """The detail as the JSON column hands it back (tuples become lists, keys strings)."""
    return None if not detail else json.loads(json.dumps(detail, ensure_ascii=False))


def _utc_text(moment):
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def serialized(entry):
    """The canonical bytes of an entry (any object or mapping with the audit columns)."""
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    return json.dumps([FORMAT, _utc_text(get("at")), get("actor_id"), get("contest_id"),
                       get("action"), get("target_type"), get("target_id"), get("detail"),
                       get("previous_hash")],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_hash(entry):
    return hashlib.sha256(serialized(entry)).hexdigest()


class Anchor(NamedTuple):
    """A hash written down outside the database; `entry_id` when it was written with it."""

    entry_hash: str
    entry_id: int | None = None

    @classmethod
    def parse(cls, text):
        """`HASH` or `ID:HASH`; ValueError otherwise."""
        entry_id, _, value = text.strip().rpartition(":")
        value = value.lower()
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise ValueError(f"not an anchor hash: {text!r}")
        return cls(value, int(entry_id) if entry_id else None)


class ChainReport(NamedTuple):
    checked: int
    broken_at: int | None = None     # the id of the first entry that does not hold
    problem: str | None = None       # "content", "link", "anchor" or "anchor-missing"
    anchor: Anchor | None = None     # the anchor that failed

    @property
    def intact(self):
        return self.problem is None


def verify(entries, anchors=()):
    """Walk `entries` (in id order) and report the first broken link.

    "content": the entry no longer matches its own hash (changed in place); "link": its previous
    hash is not the hash of the entry before it (an entry deleted, inserted or reordered);
    "anchor": the entry an anchor names now has another hash (the chain was recomputed after a
    change at or before it); "anchor-missing": no entry carries the anchor's hash.
    """
    pending = {anchor.entry_hash: anchor for anchor in anchors}
    by_id = {anchor.entry_id: anchor for anchor in anchors if anchor.entry_id is not None}
    previous, checked = GENESIS, 0
    for entry in entries:
        get = entry.get if isinstance(entry, dict) else lambda name, e=entry: getattr(e, name)
        if get("previous_hash") != previous:
            return ChainReport(checked, get("id"), "link")
        if entry_hash(entry) != get("entry_hash"):
            return ChainReport(checked, get("id"), "content")
        named = by_id.get(get("id"))
        if named is not None and named.entry_hash != get("entry_hash"):
            return ChainReport(checked, get("id"), "anchor", named)
        pending.pop(get("entry_hash"), None)
        previous = get("entry_hash")
        checked += 1
    if pending:
        anchor = next(iter(pending.values()))
        return ChainReport(checked, anchor.entry_id, "anchor-missing", anchor)
    return ChainReport(checked)
