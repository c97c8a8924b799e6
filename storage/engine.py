"""Engine creation, SQLite pragmas, migrations, and translating database failures into words."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from storage.errors import StorageError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_S = 30


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys."""
    if make_url(url).get_backend_name() == "sqlite":
        _ensure_parent_dir(url)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _ensure_parent_dir(url: str) -> None:
    path = make_url(url).database or ""
    if path and path != ":memory:" and not path.startswith("file:"):
        try:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the folder for the library database {path}: {exc}"
            ) from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it already is there."""
    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with translate_errors("open the library database"):
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return
        known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
        if current is not None and current not in known:
            raise StorageError(
                f"The library database was written by a newer Streamlens (schema {current}); "
                "update Streamlens to open it."
            )
        log.info("Migrating library database from %s to %s", current, head)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


@contextlib.contextmanager
def translate_errors(doing: str) -> Iterator[None]:
    """Re-raise database failures as `StorageError` with a sentence a user can act on."""
    try:
        yield
    except StorageError:
        raise
    except DBAPIError as exc:
        raise StorageError(f"Could not {doing}: {describe_database_error(exc)}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"Could not {doing}: {exc.__class__.__name__}: {exc}") from exc


def describe_database_error(exc: DBAPIError) -> str:
    message = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return (
            f"the database stayed locked by another program for {BUSY_TIMEOUT_S} s "
            "(close other Streamlens windows or tools using it, then retry)"
        )
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return "the disk is full (free some space; nothing committed so far was lost)"
    if "unable to open" in lowered:
        return "the database file cannot be opened (check the path and its permissions)"
    if "not a database" in lowered or "malformed" in lowered or "file is encrypted" in lowered:
        return "the file is not a Streamlens database or is damaged"
    return message
