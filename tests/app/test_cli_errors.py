"""Bad input: one line a user understands, a non-zero exit, no traceback, nothing 'complete'."""

from __future__ import annotations

import pytest

from tests.app.helpers import open_library
from tests.fixtures.servers import StaticServer


def assert_one_line_error(result, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], errors[0]


def no_complete_recordings(workdir) -> bool:
    library = open_library(workdir)
    try:
        return all(r.status != "complete" for r in library.recordings.list())
    finally:
        library.close()


def test_unresolvable_host(run_cli, workdir):
    result = run_cli("record", "http://no-such-host.invalid/live.m3u8", timeout=60)
    assert_one_line_error(result, "does not resolve")
    assert no_complete_recordings(workdir)


def test_server_answers_404(run_cli, workdir, tmp_path):
    server = StaticServer(tmp_path)
    try:
        result = run_cli("record", f"{server.base_url}/gone.mp3", timeout=60)
    finally:
        server.close()
    assert_one_line_error(result, "404")
    assert no_complete_recordings(workdir)


@pytest.mark.parametrize("command", ["record", "transcribe"])
def test_file_that_is_not_audio(run_cli, workdir, tmp_path, command):
    bogus = tmp_path / "notes.mp3"
    bogus.write_text("these are meeting notes, not audio\n" * 50)
    result = run_cli(command, str(bogus), timeout=60)
    assert_one_line_error(result, "no audio")
    assert no_complete_recordings(workdir)


def test_missing_file_and_unknown_ids(run_cli):
    assert_one_line_error(run_cli("transcribe", "/nonexistent/a.wav"), "No such file")
    assert_one_line_error(run_cli("show", "42"), "no recording with id 42")
    assert_one_line_error(run_cli("resume", "42"), "no recording with id 42")


def test_unknown_model_is_explained(run_cli, programme_wav):
    result = run_cli("transcribe", str(programme_wav), "--model", "huge-v9")
    assert_one_line_error(result, "not bundled")


def test_bad_duration(run_cli):
    result = run_cli("record", "http://127.0.0.1:9/x", "--duration", "soon")
    assert result.returncode == 2 and "duration" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_command_without_a_screen_says_so_and_prints_help(run_cli):
    result = run_cli()  # the tests' Qt platform is offscreen: no window can be seen
    assert result.returncode == 3  # no window opened (see --help's exit codes)
    assert "No screen to open the desktop app on" in result.stderr
    for command in ("record", "transcribe", "recordings", "show", "search", "export"):
        assert command in result.stdout


def test_a_reader_that_stops_early_is_not_an_error(workdir):
    """`python main.py tutorials list | head -1`: the pipe closes before the output ends."""
    import subprocess
    import sys

    from tests.conftest import ROOT, cli_env

    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "tutorials", "list"],
        cwd=ROOT,
        env=cli_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # gone before the first line is written
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err and b"error" not in err.lower()
