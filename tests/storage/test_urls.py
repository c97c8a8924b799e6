"""A database URL's password is never shown: not in what the library says about itself,
not in its errors."""

from __future__ import annotations

import pytest
from sqlalchemy import URL, create_engine, text

from storage import Library, StorageError
from storage.urls import display_url, hide_passwords

SECRET = "S3cret:with@odd/chars"


def test_display_url_hides_the_password_and_keeps_the_rest():
    url = "postgresql+psycopg://lib:S3cret@db.example:5433/library"
    assert display_url(url) == "postgresql+psycopg://lib:***@db.example:5433/library"
    assert display_url("sqlite:////home/me/streamlens.db") == "sqlite:////home/me/streamlens.db"


@pytest.mark.parametrize(
    "message",
    [
        "could not open postgresql+psycopg://lib:S3cret@db/library: refused",
        "redis://:S3cret@10.0.0.5:6379/0 is down",
        "postgresql://lib:S3cret@with@at@db/library",
    ],
)
def test_hide_passwords_in_any_text(message):
    hidden = hide_passwords(message)
    assert "S3cret" not in hidden and "***@" in hidden


def test_a_role_with_a_password_opens_its_library_and_the_password_is_never_shown(
    postgres_server, postgres_url
):
    """The README's setup: a role that owns the library's database and nothing else, with a
    password; the library is migrated on its first use, by that role."""
    database = postgres_url.rsplit("/", 1)[1]
    role = f"{database}_role"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        quoted = SECRET.replace("'", "''")
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{quoted}'"))
        conn.execute(text(f'ALTER DATABASE "{database}" OWNER TO {role}'))
        conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
    admin.dispose()

    def url_for(password: str) -> str:
        return URL.create(
            "postgresql+psycopg",
            username=role,
            password=password,
            host="127.0.0.1",
            port=postgres_server.port,
            database=database,
        ).render_as_string(hide_password=False)

    with Library(url_for(SECRET)) as lib:
        lib.recordings.create(url="http://x/a", mode="live")
        assert SECRET not in repr(lib) and "***" in lib.display_url
        assert [r.url for r in lib.recordings.list()] == ["http://x/a"]

    with pytest.raises(StorageError) as refused:
        Library(url_for("wrong-" + SECRET))
    message = str(refused.value)
    assert "refused the user name or password" in message
    assert "***" in message and "wrong-" not in message and SECRET not in message


def test_an_unreachable_server_is_named_without_its_password(postgres_server):
    url = f"postgresql+psycopg://lib:{SECRET.replace('@', '%40').replace('/', '%2F')}@127.0.0.1:1/x"
    with pytest.raises(StorageError, match="cannot be reached") as failed:
        Library(url)
    assert "lib:***@127.0.0.1:1/x" in str(failed.value) and "S3cret" not in str(failed.value)


def test_a_database_that_is_neither_sqlite_nor_postgresql_is_refused_in_words():
    with pytest.raises(StorageError, match="SQLite or PostgreSQL") as refused:
        Library("mysql://lib:S3cret@db/library")
    assert "S3cret" not in str(refused.value)
