"""INSERT that skips rows a unique constraint already holds, in each database's own words.

SQLite and PostgreSQL both say `INSERT … ON CONFLICT DO NOTHING`, but SQLAlchemy builds it
from each dialect's own `insert`; choosing it lives here, once, instead of SQLite's
`INSERT OR IGNORE` (which PostgreSQL does not know) in the repositories.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from storage.errors import StorageError

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def insert_skipping_duplicates(table: Table, dialect: str) -> Insert:
    """`INSERT INTO table … ON CONFLICT DO NOTHING` for `dialect` (an engine's dialect name)."""
    try:
        insert = _INSERTS[dialect]
    except KeyError:
        raise StorageError(f"The library needs SQLite or PostgreSQL, not {dialect}.") from None
    return insert(table).on_conflict_do_nothing()
