"""The demo's HTTP server: a player hanging up is not an error for the terminal."""

from __future__ import annotations

import http.server
import logging

import pytest

from app.demo.source import _QuietServer


@pytest.fixture
def server():
    made = _QuietServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    yield made
    made.server_close()


def test_a_player_hanging_up_mid_segment_prints_nothing(server, capsys, caplog):
    for error in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
        try:
            raise error
        except ConnectionError:
            server.handle_error(None, ("127.0.0.1", 50000))
    assert capsys.readouterr().err == ""  # socketserver's default prints a traceback here
    assert caplog.records == []


def test_other_failures_go_to_the_log_not_the_terminal(server, capsys, caplog):
    caplog.set_level(logging.WARNING)
    try:
        raise ValueError("a bad request")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 50001))
    assert capsys.readouterr().err == ""
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "a bad request" in caplog.text
