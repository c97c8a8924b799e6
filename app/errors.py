"""The exceptions that carry a message for the user; the CLI and GUI show these in words."""

from __future__ import annotations

from ingest.errors import IngestError
from nlp.errors import ModelUnavailable
from storage.errors import StorageError


class UsageError(Exception):
    """The user asked for something that cannot be done as asked."""


class SettingsError(UsageError):
    """A setting (an environment variable, the preferences file) has a value we cannot use."""


USER_ERRORS: tuple[type[Exception], ...] = (
    IngestError,
    ModelUnavailable,
    StorageError,
    UsageError,
)
