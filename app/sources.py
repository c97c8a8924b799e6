"""Sources the analyst follows: checking a URL before it is saved."""

from __future__ import annotations

from ingest.resolve import resolve
from ingest.types import StreamInfo


def check_source(url: str) -> StreamInfo:
    """What the URL is (title, platform, whether it is live), asked of yt-dlp: the Sources
    tab shows it before saving. A dead or unsupported URL raises an error in words."""
    return resolve(url)
