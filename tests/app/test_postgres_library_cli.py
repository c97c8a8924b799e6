"""The command line on a PostgreSQL library (`--db postgresql+psycopg://…` or
`STREAMLENS_DB`): it works, and its password shows nowhere — not in output, errors or the
log file, even with `-v`."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy.engine import make_url

from storage import Library
from tests.conftest import ROOT, cli_env


def run(workdir, *args: str, db: str | None = None) -> subprocess.CompletedProcess:
    env = cli_env(workdir)
    if db is not None:
        env["STREAMLENS_DB"] = db
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def everything_shown(workdir, result: subprocess.CompletedProcess) -> str:
    log = workdir / "data" / "streamlens.log"
    return result.stdout + result.stderr + (log.read_text() if log.exists() else "")


def test_commands_run_on_postgres_and_never_show_its_password(workdir, postgres_url):
    password = make_url(postgres_url).password
    with Library(postgres_url) as library:
        rid = library.recordings.create(url="http://radio/a", mode="live", title="Morning").id
        library.segments.save(rid, start_s=3.0, end_s=5.0, text="the council votes on budgets")

    listed = run(workdir, "recordings", "-v", "--db", postgres_url)
    assert listed.returncode == 0, listed.stderr
    assert "http://radio/a" in listed.stdout and "Morning" in listed.stdout

    found = run(workdir, "search", '"council votes" budget*', db=postgres_url)  # STREAMLENS_DB
    assert found.returncode == 0, found.stderr
    assert "[budgets]" in found.stdout and f"#{rid}" in found.stdout

    shown = everything_shown(workdir, listed) + everything_shown(workdir, found)
    assert "***@127.0.0.1" in shown  # the log names the library it opened
    assert password not in shown


def test_a_wrong_password_is_an_error_in_words_without_the_password(workdir, postgres_url):
    url = make_url(postgres_url).set(password="Wr0ng-pa55").render_as_string(hide_password=False)
    result = run(workdir, "recordings", "--db", url)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: Could not open the library database postgresql+psycopg://")
    assert "refused the user name or password" in line and "***" in line
    assert "Wr0ng-pa55" not in everything_shown(workdir, result)
