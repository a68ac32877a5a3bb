"""A post's history as people read it: saves and transitions in one timeline,
numbered revisions, and side-by-side diffs per field with the changed words
marked.

Revisions (news.editorial.revisions) and audit entries (the workflow's) are
stored apart; this module only reads them.
"""

import difflib
import re
from dataclasses import dataclass, field

from ..models import Post, Revision

# Unchanged lines kept around a change in the body's diff; longer runs fold.
CONTEXT_LINES = 3
FIELDS = [
    ("title", "Title"),
    ("summary", "Summary"),
    ("tags", "Tags"),
    ("body", "Body"),
]
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def numbered(post: Post) -> list[Revision]:
    """Return ``post``'s revisions, newest first, each with ``number``: 1 for
    the first ever saved."""
    history = list(post.revisions.select_related("created_by"))
    for number, revision in enumerate(reversed(history), start=1):
        revision.number = number
    return history


def name(revision: Revision) -> str:
    """Name a numbered revision as people tell them apart: its number and
    who saved it."""
    who = revision.created_by or "the system"
    return f"revision {revision.number} by {who}"


@dataclass(frozen=True)
class Event:
    """One line of the timeline: a save (``revision``) or a transition."""

    at: object
    who: str
    what: str
    why: str
    revision: Revision | None = None


def timeline(post: Post, history: list[Revision]) -> list[Event]:
    """Return the saves in ``history`` (from ``numbered()``) and ``post``'s
    transitions as one list, newest first."""
    events = [
        Event(
            at=r.created_at,
            who=str(r.created_by or "the system"),
            what=f"Saved revision {r.number}"
            + (
                f" (pending change, {r.get_pending_status_display().lower()})"
                if r.pending_status
                else ""
            ),
            why=r.reason,
            revision=r,
        )
        for r in history
    ]
    for entry in post.audit_entries.select_related("user"):
        what = entry.transition.replace("_", " ").capitalize()
        if entry.from_status:
            what += (
                f": {entry.get_from_status_display()} → {entry.get_to_status_display()}"
            )
        events.append(
            Event(
                at=entry.at,
                who=str(entry.user or "the system"),
                what=what,
                why=entry.comment,
            )
        )
    return sorted(events, key=lambda e: e.at, reverse=True)


def latest_pair(history: list[Revision]) -> tuple[Revision, Revision] | None:
    """Return the two most recent revisions in ``history`` (newest first) that
    differ, older first, or None when there are not two different ones."""
    if not history:
        return None
    newest = history[0]
    for older in history[1:]:
        if older.document != newest.document:
            return older, newest
    return None


@dataclass(frozen=True)
class Part:
    text: str
    changed: bool = False


@dataclass(frozen=True)
class Row:
    """One line of a side-by-side diff: ``old`` and ``new`` are lists of Parts,
    or None where that side has no line; ``kind`` is same, change, remove, add
    or fold (unchanged lines left out)."""

    kind: str
    old: list | None
    new: list | None


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    changed: bool
    rows: list = field(default_factory=list)


def words(old: str, new: str) -> tuple[list[Part], list[Part]]:
    """Return ``old`` and ``new`` as Parts, with the words that differ marked."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[Part] = []
    right: list[Part] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            left.append(Part("".join(a[i1:i2]), op != "equal"))
        if j2 > j1:
            right.append(Part("".join(b[j1:j2]), op != "equal"))
    return left, right


def _lines(old: str, new: str) -> list[Row]:
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += _same(a[i1:i2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            if k < len(olds) and k < len(news):
                left, right = words(olds[k], news[k])
                rows.append(Row("change", left, right))
            elif k < len(olds):
                rows.append(Row("remove", [Part(olds[k], True)], None))
            else:
                rows.append(Row("add", None, [Part(news[k], True)]))
    return _fold(rows)


def _same(lines: list[str]) -> list[Row]:
    return [Row("same", [Part(line)], [Part(line)]) for line in lines]


def _fold(rows: list[Row]) -> list[Row]:
    """Leave out unchanged lines more than CONTEXT_LINES away from a change."""
    near = set()
    for i, row in enumerate(rows):
        if row.kind != "same":
            near.update(range(i - CONTEXT_LINES, i + CONTEXT_LINES + 1))
    shown: list[Row] = []
    for i, row in enumerate(rows):
        if row.kind != "same" or i in near:
            shown.append(row)
        elif not shown or shown[-1].kind != "fold":
            shown.append(Row("fold", None, None))
    return shown


def _listed(parts: list[Part]) -> list[Part]:
    """Put a comma between ``parts``."""
    listed: list[Part] = []
    for part in parts:
        if listed:
            listed.append(Part(", "))
        listed.append(part)
    return listed


def _text(values: dict, name: str) -> str:
    value = values.get(name) or ""
    return ", ".join(value) if isinstance(value, list) else str(value)


def compare(old: dict, new: dict) -> list[FieldDiff]:
    """Return the side-by-side diff of two revisions' ``values`` for the title,
    summary, tags and body."""
    diffs = []
    for key, label in FIELDS:
        a, b = _text(old, key), _text(new, key)
        if a == b:
            diffs.append(FieldDiff(key, label, False))
        elif key == "body":
            diffs.append(FieldDiff(key, label, True, _lines(a, b)))
        elif key == "tags":
            before, after = set(old.get("tags") or []), set(new.get("tags") or [])
            left = _listed([Part(t, t not in after) for t in sorted(before)])
            right = _listed([Part(t, t not in before) for t in sorted(after)])
            diffs.append(FieldDiff(key, label, True, [Row("change", left, right)]))
        else:
            left, right = words(a, b)
            diffs.append(FieldDiff(key, label, True, [Row("change", left, right)]))
    return diffs
