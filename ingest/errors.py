"""Errors a user can cause at the ingest edge, each with a message written for them."""

from __future__ import annotations


class IngestError(Exception):
    """Base of every ingest failure shown to the user."""


class StreamUnavailable(IngestError):
    """The URL does not resolve, the server refuses, or the stream is gone."""


class NotAudio(IngestError):
    """The input was reached but holds nothing ffmpeg can decode as audio."""


class ArchiveError(IngestError):
    """Archived audio cannot be written (full disk, permissions)."""
