"""Engine creation per database (SQLite: WAL, busy timeout, foreign keys; PostgreSQL: a
connection pool for many writers), migrations, and database failures in words."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from storage.errors import StorageError
from storage.urls import display_url, hide_passwords

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_S = 30
SUPPORTED = ("sqlite", "postgresql")
# PostgreSQL: connections each process may hold. Every repository call takes one for a
# moment; recording threads, import workers and the GUI's pool share them. Past
# POOL_SIZE + POOL_OVERFLOW at once, a caller waits up to POOL_TIMEOUT_S for a free one.
POOL_SIZE = 5
POOL_OVERFLOW = 15
POOL_TIMEOUT_S = 30
MIGRATION_LOCK = 0x5354524D  # any constant: the advisory lock migrations take ("STRM")
CONNECT_TIMEOUT_S = 10  # an unreachable server fails in seconds, not a TCP timeout later


def make_engine(url: str) -> Engine:
    """An engine for `url`: a SQLite file or a PostgreSQL server (`postgresql+psycopg://`)."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _ensure_parent_dir(url)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
    with translate_errors(f"open the library database {display_url(parsed)}"):
        return create_engine(
            parsed,
            # Each server-side transaction is READ COMMITTED and writers lock rows, not the
            # database: many writers (recordings, import workers, other processes) proceed
            # at once. pre_ping replaces connections the server dropped (a restart).
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_TIMEOUT_S,
            pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "streamlens"},
        )


def parse_url(url: str) -> URL:
    """The URL parsed, or a `StorageError` that names it without its password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(
            f"The library database URL {hide_passwords(url)!r} cannot be read; give a file "
            "path or a URL such as postgresql+psycopg://user:password@host/database."
        ) from None
    if parsed.get_backend_name() not in SUPPORTED:
        raise StorageError(
            f"The library database must be SQLite or PostgreSQL, not {display_url(parsed)}."
        )
    return parsed


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
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    with translate_errors(f"open the library database {display_url(engine.url)}"):
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return
        known = {rev.revision for rev in scripts.walk_revisions()}
        if current is not None and current not in known:
            raise StorageError(
                f"The library database was written by a newer Streamlens (schema {current}); "
                "update Streamlens to open it."
            )
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Workers opening a new shared library at once: one migrates, the others
                # wait here (the lock ends with the transaction), then find it done.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                current = MigrationContext.configure(conn).get_current_revision()
                if current == head:
                    return
            log.info("Migrating library database from %s to %s", current, head)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


@contextlib.contextmanager
def translate_errors(doing: str) -> Iterator[None]:
    """Re-raise database failures as `StorageError` with a sentence a user can act on (and
    no password from a URL the driver may have quoted)."""
    try:
        yield
    except StorageError:
        raise
    except DBAPIError as exc:
        raise StorageError(f"Could not {doing}: {describe_database_error(exc)}") from exc
    except SQLAlchemyError as exc:
        message = hide_passwords(f"{exc.__class__.__name__}: {exc}")
        raise StorageError(f"Could not {doing}: {message}") from exc


def describe_database_error(exc: DBAPIError) -> str:
    message = hide_passwords(str(exc.orig) if exc.orig is not None else str(exc))
    if type(exc.orig).__module__.startswith("sqlite3"):
        return _describe_sqlite(message)
    return _describe_server(message)


def _describe_sqlite(message: str) -> str:
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


# A database server's (PostgreSQL's) refusals, by words in libpq's or the server's message.
_SERVER_PROBLEMS = (
    (
        (
            "connection refused",
            "could not connect",
            "timeout expired",
            "no route to host",
            "could not translate host name",
            "name or service not known",
        ),
        "the database server cannot be reached (is it running, and are the host and port "
        "in the URL right?)",
    ),
    (
        ("password authentication failed", "no password supplied", "no pg_hba.conf entry"),
        "the database server refused the user name or password in the URL",
    ),
    (
        ("does not exist",),
        "the server has no such database or role (create them first; see the README)",
    ),
    (
        ("too many clients", "remaining connection slots"),
        "the database server has no connection left (raise its max_connections, or run "
        "fewer workers)",
    ),
    (("permission denied", "must be owner"), "the database role lacks a permission"),
    (
        ("could not extend file", "no space left"),
        "the database server's disk is full (nothing committed so far was lost)",
    ),
)


def _describe_server(message: str) -> str:
    lowered = message.lower()
    first_line = message.strip().splitlines()[0] if message.strip() else message
    for words, meaning in _SERVER_PROBLEMS:
        if any(word in lowered for word in words):
            return f"{meaning} ({first_line})"
    return message
