"""Errors of the nlp layer, with messages written for the user."""

from __future__ import annotations


class ModelUnavailable(Exception):
    """A model name or path that cannot be loaded offline."""
