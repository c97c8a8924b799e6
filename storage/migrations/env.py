"""Alembic environment: runs on the connection `storage.library` hands over."""

from __future__ import annotations

from alembic import context

from storage.orm import Base
from storage.search import include_in_comparison

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via the alembic CLI
    raise RuntimeError("Run migrations through storage.Library, which passes a connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    # The full-text index objects (FTS5 tables, tsvector columns) live outside the ORM.
    include_object=include_in_comparison,
)
with context.begin_transaction():
    context.run_migrations()
