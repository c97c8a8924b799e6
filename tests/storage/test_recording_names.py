"""Each recording's names for trends (migration 0010) are stored beside its terms, on
SQLite and PostgreSQL, and only for the transcript they were computed from."""

from __future__ import annotations

from storage import Library


def test_names_are_kept_with_the_terms_of_the_same_transcript(library):
    a = library.recordings.create(url="http://x/a.mp3", mode="live").id
    b = library.recordings.create(url="http://x/b.mp3", mode="live").id
    library.terms.save({a: ("f1", ["bridge", "bridge collapse"]), b: ("f2", ["ferry"])})
    assert library.terms.names() == {}  # not computed yet
    stored = library.terms.save_names({a: ("f1", ["bridge collapse", "ohio river"])})
    assert stored == 1 and library.terms.names() == {a: ("f1", ["bridge collapse", "ohio river"])}
    assert library.terms.save_names({b: ("old fingerprint", ["ferry line"])}) == 0
    assert set(library.terms.names()) == {a}
    library.terms.save({a: ("f3", ["bridge", "reopened"])})  # the transcript changed
    assert library.terms.names() == {}
    assert library.terms.all()[a] == ("f3", ["bridge", "reopened"])


def test_upgrading_from_0009_keeps_the_terms_and_leaves_names_to_compute(empty_library_url):
    from datetime import datetime

    from alembic import command
    from sqlalchemy import text

    from storage.engine import alembic_config, make_engine

    engine = make_engine(empty_library_url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0009")
        rid = conn.execute(
            text(
                "INSERT INTO recordings (url, mode, started_at, duration_s, status, is_live) "
                "VALUES ('http://old/a.mp3', 'live', :started, 12, 'complete', :live) "
                "RETURNING id"
            ),
            {"started": datetime(2026, 1, 2, 3, 4, 5), "live": False},
        ).scalar()
        conn.execute(
            text(
                "INSERT INTO recording_terms (recording_id, fingerprint, terms) "
                "VALUES (:rid, 'f1', '[\"bridge\"]')"
            ),
            {"rid": rid},
        )
    engine.dispose()
    with Library(empty_library_url) as lib:
        assert lib.terms.all() == {rid: ("f1", ["bridge"])}
        assert lib.terms.names() == {}
        assert lib.terms.save_names({rid: ("f1", ["bridge collapse"])}) == 1
        assert lib.terms.names() == {rid: ("f1", ["bridge collapse"])}
