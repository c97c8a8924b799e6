"""Database URLs as they may be shown: with the password hidden.

A PostgreSQL library's URL carries the role's password (`postgresql+psycopg://user:pw@host/db`).
It must never reach a log, an error message, command output or the GUI: everything that
shows a URL shows `display_url(url)`, and text that may quote one (a driver's error, a
traceback in the log) goes through `hide_passwords`.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

HIDDEN = "***"
# scheme://user:password@ — the password is whatever runs up to the last "@" before the
# host (a password may itself contain "@" or ":"; the host part never contains "@").
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^\s:/@]*:)(?P<pw>[^\s/]*)@")


def display_url(url: str | URL) -> str:
    """`url` as it may be shown: the password, if any, replaced by ***."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return hide_passwords(url)
    return url.render_as_string(hide_password=True)


def hide_passwords(text: str) -> str:
    """`text` with the password of every `scheme://user:password@host` in it hidden."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{HIDDEN}@", text)


def backend_name(url: str) -> str:
    """`sqlite`, `postgresql`, …: the database kind a URL names (without its driver)."""
    return make_url(url).get_backend_name()
