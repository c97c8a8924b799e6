"""The library database: schema by migration, search kept in step, crash bookkeeping,
errors. Tests taking `library` or `library_url` run on SQLite and on PostgreSQL; the others
are about SQLite files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from storage import Library, StorageError
from storage.recordings import STATUS_INTERRUPTED, STATUS_RECORDING
from storage.search_fts5 import to_fts_query

HEAD = "0012"


@pytest.fixture
def sqlite_library(tmp_path):
    lib = Library(f"sqlite:///{tmp_path / 'lib.db'}")
    yield lib
    lib.close()


def test_new_sqlite_database_is_migrated_to_head_in_wal_mode(sqlite_library):
    with sqlite_library.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        mode = conn.execute(text("PRAGMA journal_mode")).scalar()
        tables = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    assert version == HEAD
    assert mode == "wal"
    assert {"sources", "recordings", "segments", "archive_files", "segments_fts"} <= tables
    assert {"recording_terms", "chat_fts"} <= tables


def test_new_postgres_database_is_migrated_with_tsvector_columns_and_gin_indexes(postgres_url):
    with Library(postgres_url) as lib, lib.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        schema = inspect(conn)
        tables = set(schema.get_table_names())
        for table in ("segments", "chat_messages"):
            columns = {c["name"]: str(c["type"]) for c in schema.get_columns(table)}
            assert columns["text_search"] == "TSVECTOR"
            [index] = [i for i in schema.get_indexes(table) if i["name"].endswith("text_search")]
            method = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": index["name"]}
            ).scalar()
            assert "USING gin (text_search)" in method
    assert version == HEAD
    assert {"sources", "recordings", "segments", "chat_messages", "recording_terms"} <= tables


def test_reopening_keeps_data_and_does_not_migrate_again(empty_library_url, caplog):
    with Library(empty_library_url) as lib:
        rid = lib.recordings.create(url="http://x/a.mp3", mode="live").id
    caplog.clear()
    with caplog.at_level("INFO", logger="storage.engine"), Library(empty_library_url) as lib:
        assert lib.recordings.get(rid).url == "http://x/a.mp3"
    assert "Migrating" not in caplog.text


def test_search_follows_inserts_growth_and_deletes(library):
    rid = library.recordings.create(url="u", mode="live", title="Morning").id
    sid = library.segments.save(rid, start_s=1, end_s=2, text="the council", final=False)
    assert [h.segment_id for h in library.search.search("council")] == [sid]
    library.segments.save(
        rid, start_s=1, end_s=4, text="the council votes on budgets", segment_id=sid
    )
    hits = library.search.search("budget")  # porter stemming: budgets ~ budget
    assert [(h.recording_id, h.start_s) for h in hits] == [(rid, 1.0)]
    assert "[budgets]" in hits[0].snippet
    library.recordings.delete(rid)
    assert library.search.search("council") == []


def test_phrase_and_all_words_matching(library):
    rid = library.recordings.create(url="u", mode="live").id
    library.segments.save(rid, start_s=0, end_s=1, text="new library budget approved")
    library.segments.save(rid, start_s=5, end_s=6, text="budget for the new road")
    assert len(library.search.search("new budget")) == 2
    assert [h.start_s for h in library.search.search('"library budget"')] == [0.0]
    assert [h.start_s for h in library.search.search("libr*")] == [0.0]


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR NOT", "a*b(c)", "NEAR(", "-x +y", ""])
def test_user_queries_never_raise(library, query):
    assert isinstance(library.search.search(query), list)
    assert isinstance(library.chat.search(query), list)
    assert to_fts_query(query).count('"') % 2 == 0


def test_dead_process_recording_is_marked_interrupted(library):
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(done.stdout)
    rid = library.recordings.create(url="u", mode="live").id
    library.recordings.update(rid, pid=dead_pid)
    mine = library.recordings.create(url="v", mode="live").id  # this process: alive
    assert library.recordings.mark_orphans_interrupted() == [rid]
    assert library.recordings.get(rid).status == STATUS_INTERRUPTED
    assert library.recordings.get(mine).status == STATUS_RECORDING


def test_list_counts_segments(library):
    a = library.recordings.create(url="a", mode="live").id
    library.recordings.create(url="b", mode="live")
    for i in range(3):
        library.segments.save(a, start_s=i, end_s=i + 1, text=f"s{i}")
    counts = {r.url: r.segment_count for r in library.recordings.list()}
    assert counts == {"a": 3, "b": 0}


def test_unknown_recording_is_a_clear_error(library):
    with pytest.raises(StorageError, match="no recording with id 99"):
        library.recordings.get(99)


def test_locked_database_is_reported_in_words(tmp_path, monkeypatch):
    import storage.engine

    monkeypatch.setattr(storage.engine, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "lib.db"
    lib = Library(f"sqlite:///{path}")
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked by another program"):
            lib.recordings.create(url="u", mode="live")
    finally:
        blocker.rollback()
        blocker.close()
    assert lib.recordings.create(url="u", mode="live").id == 1  # usable afterwards


def test_database_from_a_newer_version_is_refused(library_url):
    with Library(library_url) as lib, lib.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num='9999'"))
    with pytest.raises(StorageError, match="newer Streamlens"):
        Library(library_url)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "lib.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not a Streamlens database"):
        Library(f"sqlite:///{path}")


def test_transcript_fingerprints_change_with_the_transcript_and_terms_round_trip(library):
    a = library.recordings.create(url="http://x/a.mp3", mode="live").id
    b = library.recordings.create(url="http://x/b.mp3", mode="live").id
    seg = library.segments.save(a, start_s=0.0, end_s=2.0, text="the bridge")
    assert set(library.segments.fingerprints()) == {a}  # b has no transcript yet
    before = library.segments.fingerprints()[a]
    library.segments.rewrite_texts({seg: "The bridge."})
    rewritten = library.segments.fingerprints()[a]
    library.segments.save(a, start_s=2.0, end_s=3.0, text="reopened")
    assert len({before, rewritten, library.segments.fingerprints()[a]}) == 3
    library.terms.save({a: ("f1", ["bridge"]), b: ("f2", [])})
    library.terms.save({a: ("f3", ["bridge", "reopened"])})
    assert library.terms.all() == {a: ("f3", ["bridge", "reopened"]), b: ("f2", [])}
    library.recordings.delete(b)
    assert set(library.terms.all()) == {a}


def test_terms_saved_by_two_workers_at_once_do_not_fail(library, library_url):
    """Two import workers both compute a recording's terms; the other one stores them
    between this one's read and its write: this one's save becomes an update, not a
    UNIQUE-constraint failure (which used to leave the item "not summarised")."""
    from sqlalchemy import event

    rid = library.recordings.create(url="http://x/a.mp3", mode="live").id
    other = Library(library_url)
    raced = []

    def other_worker_first(conn, cursor, statement, *args) -> None:
        if statement.startswith("INSERT INTO recording_terms") and not raced:
            raced.append(True)
            other.terms.save({rid: ("f1", ["bridge"])})

    event.listen(library.engine, "before_cursor_execute", other_worker_first)
    try:
        library.terms.save({rid: ("f1", ["bridge", "river"])})
    finally:
        event.remove(library.engine, "before_cursor_execute", other_worker_first)
        other.close()
    assert raced and library.terms.all() == {rid: ("f1", ["bridge", "river"])}


def test_the_text_search_migration_goes_down_and_up_again(library_url):
    """Migration 0009 (PostgreSQL's tsvector columns; nothing on SQLite) can be undone and
    redone, and what was said before is found again afterwards."""
    from alembic import command

    from storage.engine import alembic_config

    with Library(library_url) as lib:
        rid = lib.recordings.create(url="http://x/a", mode="live").id
        lib.segments.save(rid, start_s=0, end_s=1, text="the bridge reopened")
        config = alembic_config()
        with lib.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0008")
    with Library(library_url) as lib:
        assert [h.recording_id for h in lib.search.search("reopen*")] == [rid]
