"""Import front-matter Markdown trees: sources (where files are read from),
references (the images documents use), the Importer itself, and its Report."""

from .importer import Importer
from .lock import ImportBusy
from .reading import MAX_DOCUMENT_BYTES
from .references import MAX_IMAGE_BYTES
from .report import ImportFailure, Outcome, Problem, Report
from .sources import (
    MARKDOWN_SUFFIXES,
    DirectorySource,
    SourceError,
    UploadSource,
    ZipSource,
    open_source,
    site_root_within,
)

__all__ = [
    "MARKDOWN_SUFFIXES",
    "MAX_DOCUMENT_BYTES",
    "MAX_IMAGE_BYTES",
    "DirectorySource",
    "ImportBusy",
    "ImportFailure",
    "Importer",
    "Outcome",
    "Problem",
    "Report",
    "SourceError",
    "UploadSource",
    "ZipSource",
    "open_source",
    "site_root_within",
]
