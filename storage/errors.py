"""Errors the storage layer raises with a message written for the user."""

from __future__ import annotations


class StorageError(Exception):
    """The library database cannot be used (locked, full disk, unreadable, too new)."""
