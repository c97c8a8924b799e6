"""`resolve(url)`: what a URL is and where its audio is, through yt-dlp (no download)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from ingest.errors import StreamUnavailable
from ingest.types import StreamInfo

log = logging.getLogger(__name__)

_YTDLP_NOISE = re.compile(r"^(ERROR:\s*)?(\[[^\]]+\]\s*)?([\w.-]+:\s*)?")
STREAM_SUFFIXES = (".m3u8", ".m3u", ".pls")


class _QuietLogger:
    """yt-dlp talks to stderr by default; route it to logging instead."""

    def debug(self, msg: str) -> None:
        log.debug(msg)

    info = debug

    def warning(self, msg: str) -> None:
        log.info("yt-dlp: %s", msg)

    def error(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)


def resolve(url: str, timeout_s: float = 20.0) -> StreamInfo:
    """Resolve a URL or local path without downloading it.

    Raises `StreamUnavailable` with a one-line reason when it cannot be reached.
    """
    url = url.strip()
    local = _local_path(url)
    if local is not None:
        if not local.is_file():
            raise StreamUnavailable(f"No such file: {local}")
        return StreamInfo(
            url=str(local), audio_url=str(local), title=local.stem, is_local_file=True
        )
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https", "rtmp", "rtmps", "rtsp", "srt", "udp", "tcp"):
        raise StreamUnavailable(f"Not a URL or an existing file: {url}")
    if parsed.scheme not in ("http", "https"):
        return StreamInfo(url=url, audio_url=url, title=parsed.netloc, is_live=True)
    return _resolve_with_ytdlp(url, timeout_s)


def _local_path(url: str) -> Path | None:
    if url.startswith("file://"):
        return Path(urlparse(url).path)
    if "://" in url:
        return None
    return Path(url).expanduser()


def _resolve_with_ytdlp(url: str, timeout_s: float) -> StreamInfo:
    import yt_dlp

    options = {
        "quiet": True,
        "no_warnings": True,
        "skip_download": True,
        "noplaylist": True,
        "format": "bestaudio/best",
        "socket_timeout": timeout_s,
        "logger": _QuietLogger(),
        "noprogress": True,
        "extractor_retries": 1,
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False)
    except yt_dlp.utils.DownloadError as exc:
        raise StreamUnavailable(f"Cannot open {url}: {describe_ytdlp_error(str(exc))}") from None
    except Exception as exc:  # yt-dlp extractors raise anything
        raise StreamUnavailable(f"Cannot open {url}: {exc}") from None
    if info is None:
        raise StreamUnavailable(f"Cannot open {url}: nothing playable found there.")
    if info.get("_type") == "playlist":
        entries = [e for e in info.get("entries") or [] if e]
        if not entries:
            raise StreamUnavailable(f"Cannot open {url}: the playlist is empty.")
        info = entries[0]
    return _stream_info(url, info)


def _stream_info(url: str, info: dict) -> StreamInfo:
    audio_url = info.get("url")
    headers = dict(info.get("http_headers") or {})
    if not audio_url:
        formats = info.get("requested_formats") or info.get("formats") or []
        audio_url = next((f.get("url") for f in formats if f.get("url")), None)
    if not audio_url:
        raise StreamUnavailable(f"Cannot open {url}: no audio stream was found there.")
    extractor = info.get("extractor_key") or info.get("extractor") or ""
    platform = None if extractor.lower() in ("generic", "") else extractor.lower()
    is_live = bool(info.get("is_live")) or (
        info.get("duration") is None and _looks_like_stream(info, audio_url)
    )
    return StreamInfo(
        url=url,
        audio_url=audio_url,
        title=info.get("title") or info.get("fulltitle"),
        is_live=is_live,
        live_reported=bool(info.get("is_live")),
        platform=platform,
        channel=info.get("channel") or info.get("uploader"),
        duration_s=info.get("duration"),
        http_headers=headers,
        started_at=_published_at(info),
    )


def _published_at(info: dict) -> datetime | None:
    for key in ("release_timestamp", "timestamp"):
        value = info.get(key)
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    day = info.get("upload_date")
    if isinstance(day, str) and len(day) == 8 and day.isdigit():
        return datetime.strptime(day, "%Y%m%d")
    return None


def expand_playlist(url: str, timeout_s: float = 20.0) -> list[str]:
    """The item URLs behind a playlist or channel page; `[url]` for anything else.

    Flat extraction: one request for the list, none per item.
    """
    if _local_path(url) is not None or urlparse(url).scheme not in ("http", "https"):
        return [url]
    import yt_dlp

    options = {
        "quiet": True,
        "no_warnings": True,
        "skip_download": True,
        "extract_flat": "in_playlist",
        "socket_timeout": timeout_s,
        "logger": _QuietLogger(),
        "noprogress": True,
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False)
    except yt_dlp.utils.DownloadError as exc:
        raise StreamUnavailable(f"Cannot open {url}: {describe_ytdlp_error(str(exc))}") from None
    except Exception as exc:
        raise StreamUnavailable(f"Cannot open {url}: {exc}") from None
    if not info or info.get("_type") not in ("playlist", "multi_video"):
        return [url]
    urls = [e.get("url") or e.get("webpage_url") for e in info.get("entries") or [] if e]
    return [u for u in urls if u] or [url]


def _looks_like_stream(info: dict, audio_url: str) -> bool:
    """A generic http(s) source with no duration is treated as live (radio, HLS)."""
    protocol = str(info.get("protocol") or "")
    path = urlparse(audio_url).path.lower()
    return "m3u8" in protocol or path.endswith(STREAM_SUFFIXES) or protocol.startswith("http")


def describe_ytdlp_error(message: str) -> str:
    """yt-dlp's error, without its prefixes and Python exception noise."""
    text = message.strip().splitlines()[0] if message.strip() else "unknown error"
    text = _YTDLP_NOISE.sub("", text, count=1)
    lowered = text.lower()
    if (
        "name or service not known" in lowered
        or "failed to resolve" in lowered
        or ("nodename nor servname" in lowered or "temporary failure in name resolution" in lowered)
    ):
        return "the host name does not resolve (check the address and your connection)."
    if "connection refused" in lowered:
        return "the server refused the connection (is the stream up?)."
    match = re.search(r"HTTP Error (\d{3}):?\s*([^<(]*)", text)
    if match:
        return f"the server answered {match.group(1)} {match.group(2).strip()}".strip() + "."
    if "unsupported url" in lowered:
        return "this address is not a stream or a page with media on it."
    return text.rstrip(".") + "."
