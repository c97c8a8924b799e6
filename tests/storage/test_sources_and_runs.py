"""Sources (the station directory), schedule-run history, import keys, and upgrading an
old library; on SQLite and on PostgreSQL (the `library` and `library_url` fixtures)."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import text

from storage import Library, StorageError
from storage.engine import alembic_config, make_engine
from storage.schedule_runs import RUN_LATE, RUN_MISSED


def test_upgrade_from_0001_keeps_recordings_and_adds_new_columns(empty_library_url):
    url = empty_library_url
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        old_id = conn.execute(
            text(
                "INSERT INTO recordings (url, mode, started_at, duration_s, status, is_live) "
                "VALUES ('http://old/a.mp3', 'live', :started, 12, 'complete', :live) "
                "RETURNING id"
            ),
            {"started": datetime(2026, 1, 2, 3, 4, 5), "live": False},
        ).scalar()
        conn.execute(
            text(
                "INSERT INTO segments (recording_id, start_s, end_s, text, final) "
                "VALUES (:rid, 0, 2, 'the old budgets', :final)"
            ),
            {"rid": old_id, "final": True},
        )
    engine.dispose()
    with Library(url) as lib:
        [old] = lib.recordings.list()
        assert (old.url, old.duration_s, old.import_key, old.late_s) == (
            "http://old/a.mp3",
            12.0,
            None,
            None,
        )
        # what was said before the upgrade is found (PostgreSQL indexes it in 0009)
        assert [h.recording_id for h in lib.search.search("budget")] == [old.id]
        new = lib.recordings.create(url="f", mode="offline", import_key="sha:1")
        assert lib.recordings.find_by_import_key("sha:1").id == new.id


def test_import_key_is_unique(library):
    library.recordings.create(url="a", mode="offline", import_key="k")
    with pytest.raises(StorageError):
        library.recordings.create(url="b", mode="offline", import_key="k")


def test_sources_upsert_favourites_first_and_counts(library):
    wacv, created = library.sources.upsert("https://ice9/WACV", name="WACV", region="AL")
    assert created
    same, created = library.sources.upsert("https://ice9/WACV", is_live=True)
    assert not created and same.id == wacv.id and same.name == "WACV" and same.is_live
    kgwa, _ = library.sources.upsert("https://x/KGWA", name="KGWA", region="OK")
    library.sources.set_favourite(kgwa.id, True)
    library.recordings.create(url="https://ice9/WACV", mode="live")
    rows = library.sources.list()
    assert [r.name for r in rows] == ["KGWA", "WACV"]
    assert [r.recording_count for r in rows] == [0, 1]
    assert [r.name for r in library.sources.list(favourites_only=True)] == ["KGWA"]
    library.sources.delete(wacv.id)
    assert library.recordings.list()[0].source_id is None  # the recording stays


def test_schedule_runs_newest_first_and_per_schedule(library):
    library.schedule_runs.add(
        schedule_id="a", url="u", scheduled_at=datetime(2026, 1, 1, 6), status=RUN_MISSED
    )
    rid = library.schedule_runs.add(
        schedule_id="a", url="u", scheduled_at=datetime(2026, 1, 2, 6), status=RUN_LATE
    )
    library.schedule_runs.add(
        schedule_id="b", url="v", scheduled_at=datetime(2026, 1, 3, 6), status=RUN_MISSED
    )
    library.schedule_runs.update(rid, detail="started 40 s late")
    runs = library.schedule_runs.list("a")
    assert [(r.status, r.detail) for r in runs] == [
        (RUN_LATE, "started 40 s late"),
        (RUN_MISSED, None),
    ]
    assert len(library.schedule_runs.list()) == 3


def test_recordings_list_counts_chat_and_flagged_messages(library):
    rid = library.recordings.create(url="u", mode="live").id
    at = datetime(2026, 1, 1)
    rows = [
        {"at": at, "offset_s": 1, "kind": "message", "message_id": "a", "text": "hi"},
        {
            "at": at,
            "offset_s": 2,
            "kind": "message",
            "message_id": "b",
            "text": "x",
            "violation": True,
        },
        {"at": at, "offset_s": 3, "kind": "ban", "target_user": "t"},
        {"at": at, "offset_s": 1, "kind": "message", "message_id": "a", "text": "hi again"},
    ]
    assert library.chat.add_many(rid, rows) == 3  # the repeated message id is kept once
    [recording] = library.recordings.list()
    assert (recording.chat_count, recording.flagged_count) == (2, 1)
    library.recordings.delete(rid)
    assert library.chat.search("hi") == []  # chat and its index go with the recording
