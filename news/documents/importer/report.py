"""What an import did: a Report of outcomes and of each file's Problems."""

import enum
from collections import Counter
from dataclasses import asdict, dataclass, field


class ImportFailure(Exception):
    """A file that cannot be imported; the message says why."""

    def __init__(self, message, *, line=None):
        super().__init__(message)
        self.line = line


@dataclass
class Problem:
    path: str
    message: str
    line: int | None = None
    # "error": the file failed; "warning": it imported anyway; "info": it was
    # skipped on purpose, as not a post.
    level: str = "error"
    code: str = ""

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


class Outcome(enum.StrEnum):
    """What importing one file did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    CONFLICT = "conflict"
    SKIPPED = "skipped"


@dataclass
class Report:
    dry_run: bool = False
    outcomes: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome):
        """Count one file that ended in ``outcome`` (an Outcome)."""
        self.outcomes[outcome] += 1

    @property
    def created(self):
        return self.outcomes[Outcome.CREATED]

    @property
    def updated(self):
        return self.outcomes[Outcome.UPDATED]

    @property
    def unchanged(self):
        return self.outcomes[Outcome.UNCHANGED]

    @property
    def failed(self):
        return self.outcomes[Outcome.FAILED]

    @property
    def conflicts(self):
        return self.outcomes[Outcome.CONFLICT]

    @property
    def skipped(self):
        return self.outcomes[Outcome.SKIPPED]

    @property
    def files(self):
        return self.outcomes.total()

    @property
    def warnings(self):
        return sum(1 for p in self.problems if p.level == "warning")

    @property
    def ok(self):
        return self.failed == 0

    @property
    def rate(self):
        return self.files / self.seconds if self.seconds else 0.0

    def summary(self):
        prefix = "Dry run: would have " if self.dry_run else ""
        return (
            f"{prefix}{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.conflicts} conflicts, "
            f"{self.failed} failed, {self.warnings} warnings"
            + (f", {self.skipped} skipped" if self.skipped else "")
            + f" in {self.seconds:.2f}s ({self.rate:.1f} posts/s)"
        )

    def as_dict(self):
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
            "failed": self.failed,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "posts_per_second": round(self.rate, 1),
            "problems": [asdict(p) for p in self.problems],
        }
