"""Shared fixtures: speech from espeak-ng, loopback HLS and Icecast servers, a CLI runner,
a throwaway PostgreSQL server, and a library on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Never read or write the real user's preferences from tests.
os.environ["STREAMLENS_CONFIG_DIR"] = tempfile.mkdtemp(prefix="streamlens-test-config-")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures import postgres, servers, speech  # noqa: E402


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def programme_wav(speech_dir) -> Path:
    """Two seconds of silence, then SCRIPT_A spoken, then silence: about 20 s."""
    lead = speech.silence(2.0, speech_dir / "lead.wav")
    spoken = speech.speak(speech.SCRIPT_A, speech_dir / "a.wav")
    tail = speech.silence(3.0, speech_dir / "tail.wav")
    return speech.concat([lead, spoken, tail], speech_dir / "programme.wav")


@pytest.fixture(scope="session")
def script_b_wav(speech_dir) -> Path:
    return speech.speak(speech.SCRIPT_B, speech_dir / "b.wav")


@pytest.fixture(scope="session")
def music_wav(speech_dir) -> Path:
    """Eight seconds of instrumental music (sox tones), no voice."""
    return speech.music(8.0, speech_dir / "music.wav")


@pytest.fixture(scope="session")
def silence_mp3(speech_dir) -> bytes:
    return servers.encode_mp3(
        speech.silence(5.0, speech_dir / "quiet.wav"), speech_dir / "quiet.mp3"
    )


@pytest.fixture(scope="session")
def hls_programme_wav(speech_dir) -> Path:
    """The programme with a longer silent lead: a live HLS listener joins three segments
    behind the live edge, so a recorder that starts seconds after its first request (the
    model loads after the URL is resolved) still hears every word."""
    lead = speech.silence(4.0, speech_dir / "hls_lead.wav")
    spoken = speech.speak(speech.SCRIPT_A, speech_dir / "a.wav")
    tail = speech.silence(3.0, speech_dir / "tail.wav")
    return speech.concat([lead, spoken, tail], speech_dir / "hls_programme.wav")


@pytest.fixture
def hls_stream(hls_programme_wav, tmp_path):
    stream = servers.LiveHls(hls_programme_wav, tmp_path / "hls")
    yield stream
    stream.close()


@pytest.fixture
def icecast(programme_wav, silence_mp3, speech_dir):
    programme = servers.encode_mp3(programme_wav, speech_dir / "programme.mp3")
    server = servers.IcecastServer(programme, silence_mp3)
    yield server
    server.close()


@pytest.fixture
def second_station(script_b_wav, silence_mp3, speech_dir):
    """Another loopback radio, saying SCRIPT_B (after the same two-second lead)."""
    lead = speech.silence(2.0, speech_dir / "lead_b.wav")
    tail = speech.silence(3.0, speech_dir / "tail_b.wav")
    wav = speech.concat([lead, script_b_wav, tail], speech_dir / "programme_b.wav")
    server = servers.IcecastServer(servers.encode_mp3(wav, speech_dir / "b.mp3"), silence_mp3)
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server of the tests' own on 127.0.0.1, for the whole session; tests
    that need it are skipped, saying why, only where PostgreSQL is not installed."""
    reason = postgres.why_unavailable()
    if reason:
        pytest.skip(reason)
    server = postgres.PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A URL (with its password) to a new, empty database, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture
def migrated_postgres_url(postgres_server) -> str:
    """Like `postgres_url`, for a database already migrated to the newest schema."""
    name = postgres_server.create_database(template=postgres_server.migrated_template())
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def library_url(request, tmp_path) -> str:
    """A fresh library's URL, once on SQLite and once on PostgreSQL (there already migrated,
    to save each test the time; see `empty_library_url` for tests of migrating)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lib.db'}"
    return request.getfixturevalue("migrated_postgres_url")


@pytest.fixture(params=BACKENDS)
def empty_library_url(request, tmp_path) -> str:
    """A URL to an empty database (no schema yet), once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lib.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def library(library_url):
    """A fresh library, migrated, on each database (`library_url`)."""
    from storage import Library

    lib = Library(library_url)
    yield lib
    lib.close()


@pytest.fixture
def workdir(tmp_path) -> Path:
    """A data dir and database of their own for one test."""
    (tmp_path / "data").mkdir()
    return tmp_path


def cli_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["STREAMLENS_DB"] = str(workdir / "library.db")
    env["STREAMLENS_DATA_DIR"] = str(workdir / "data")
    env["STREAMLENS_CACHE_DIR"] = str(workdir.parent / "cache")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def run_cli(workdir):
    """Run `python main.py ...` in a subprocess against this test's library."""

    def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args],
            cwd=ROOT,
            env=cli_env(workdir),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def run_cli_stdin(workdir):
    """Like `run_cli`, with text on standard input."""

    def run(*args: str, stdin: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args],
            cwd=ROOT,
            env=cli_env(workdir),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


def normalise(text: str) -> str:
    text = re.sub(r"[^a-z' ]+", " ", text.lower())
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(normalise(reference), normalise(hypothesis))


def pytest_sessionfinish(session, exitstatus) -> None:
    """Let recording sessions a test left running end before Python shuts down: a daemon
    thread torn down inside Whisper aborts the whole test process (exit 134)."""
    from app.session import wait_for_session_threads

    wait_for_session_threads(timeout_s=120)
