"""resolve(): yt-dlp over loopback servers; failures become one readable sentence."""

from __future__ import annotations

import pytest

from ingest.errors import StreamUnavailable
from ingest.resolve import describe_ytdlp_error, resolve
from tests.fixtures.servers import StaticServer


def test_local_file_resolves_without_network(programme_wav):
    info = resolve(str(programme_wav))
    assert info.is_local_file and not info.is_live
    assert info.audio_url == str(programme_wav)
    assert info.title == "programme"


def test_missing_file_is_reported():
    with pytest.raises(StreamUnavailable, match="No such file"):
        resolve("/nonexistent/show.mp3")


def test_live_hls_playlist_is_live(hls_stream):
    info = resolve(hls_stream.url)
    assert info.is_live
    assert info.audio_url.startswith("http://127.0.0.1")


def test_endless_mp3_radio_is_live(icecast):
    info = resolve(icecast.url)
    assert info.is_live and info.audio_url == icecast.url


def test_404_is_a_sentence(tmp_path):
    server = StaticServer(tmp_path)
    try:
        with pytest.raises(StreamUnavailable, match="answered 404"):
            resolve(f"{server.base_url}/missing.m3u8")
    finally:
        server.close()


def test_refused_connection_is_a_sentence():
    with pytest.raises(StreamUnavailable, match="refused"):
        resolve("http://127.0.0.1:9/radio.mp3")


def test_not_a_url_nor_a_file():
    with pytest.raises(StreamUnavailable, match="Not a URL or an existing file"):
        resolve("gopher://example/x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "ERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found (caused by "
            "<HTTPError 404>)",
            "the server answered 404 Not Found.",
        ),
        (
            "ERROR: [generic] x: Unable to download webpage: <urlopen error [Errno -2] Name or "
            "service not known>",
            "the host name does not resolve",
        ),
    ],
)
def test_ytdlp_messages_are_cleaned(raw, expected):
    assert describe_ytdlp_error(raw).startswith(expected)
