"""The project's exceptions. Messages say what went wrong and what to do next."""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class of every error the library raises on purpose."""


class ManifestError(ToolkitError):
    """A manifest is missing, malformed, or has an unsafe row (absolute or ``..`` path)."""


class FetchError(ToolkitError):
    """A document could not be fetched, or its checksum does not match the manifest."""


class ChecksumError(FetchError):
    """A file's sha256 differs from the one the manifest promises."""


class ExtractionError(ToolkitError):
    """A document could not be read: truncated, encrypted, not what its name says, ..."""


class ScannedDocumentError(ExtractionError):
    """The document has no text layer and no OCR engine is installed."""


class ResourceLimitError(ExtractionError):
    """A document exceeded a configured limit (pages, seconds, bytes)."""


class StoreError(ToolkitError):
    """The index database is unusable (wrong schema version, locked, corrupt)."""
