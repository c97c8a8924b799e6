"""Each stored thing has one shape: the migrations build what the ORM declares, the records
the repositories return carry the ORM's columns, and a chat event reaches the library field
by field. A field added in one place and forgotten in another fails here."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.chat_capture import stored_fields
from ingest.chat.types import ChatEvent
from storage import orm
from storage.chat import CHAT_COLUMNS
from storage.records import ChatMessageRecord, RecordingRecord, SegmentRecord
from storage.search import include_in_comparison


def test_the_migrations_build_exactly_what_the_orm_declares(library):
    """On SQLite and on PostgreSQL. The full-text index objects (FTS5 tables; tsvector
    columns and their GIN indexes) live outside the ORM on purpose, and only they are left
    out of the comparison: the same filter the migrations' environment uses."""
    with library.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_comparison, "compare_type": True}
        )
        differences = compare_metadata(context, orm.Base.metadata)
    assert differences == []
    with library.engine.connect() as connection:  # and the filter hides nothing else
        unfiltered = compare_metadata(MigrationContext.configure(connection), orm.Base.metadata)
    assert unfiltered, "the full-text index objects should show without the filter"
    for difference in unfiltered:
        assert "_fts" in repr(difference) or "text_search" in repr(difference), difference


def columns(table) -> set[str]:
    return {c.name for c in table.__table__.columns}


def test_records_carry_the_orm_columns():
    assert {f.name for f in fields(ChatMessageRecord)} == columns(orm.ChatMessage)
    assert {f.name for f in fields(SegmentRecord)} <= columns(orm.Segment)
    counted = {"segment_count", "chat_count", "flagged_count"}  # worked out when read
    assert {f.name for f in fields(RecordingRecord)} - counted <= columns(orm.Recording)


def test_a_chat_event_is_stored_and_read_back_field_for_field(library):
    """Every field a `ChatEvent` shares with the stored record survives the round trip;
    an aware time in another zone is stored as the same instant in UTC."""
    rid = library.recordings.create(url="http://127.0.0.1/x", mode="live").id
    at = datetime(2026, 11, 30, 21, 15, tzinfo=timezone(timedelta(hours=-5)))
    event = ChatEvent(
        at=at,
        kind="message",
        text="hello chat",
        author="viewer1",
        display_name="Viewer1",
        message_id="m-1",
        platform="twitch",
        channel="somechannel",
        badges=("subscriber/12",),
        emotes=("Kappa", "Kappa"),
        bits=100,
        first_message=True,
        target_user=None,
        target_message_id=None,
        duration_s=None,
    )
    assert set(stored_fields(event, 12.5)) <= set(CHAT_COLUMNS)
    library.chat.add_many(rid, [stored_fields(event, 12.5)])
    [record] = library.chat.for_recording(rid)
    shared = {f.name for f in fields(ChatEvent)} & {f.name for f in fields(ChatMessageRecord)}
    for name in shared - {"at", "offset_s", "badges", "emotes"}:
        assert getattr(record, name) == getattr(event, name), name
    assert record.badges == ("subscriber/12",) and record.emotes == ("Kappa", "Kappa")
    assert record.offset_s == 12.5
    assert record.at == at.astimezone(UTC).replace(tzinfo=None)
