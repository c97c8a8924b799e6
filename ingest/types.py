"""What the ingest layer yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class StreamInfo:
    """A resolved source: what it is, and where its audio can be read from."""

    url: str  # what the user gave
    audio_url: str  # what ffmpeg reads
    title: str | None = None
    is_live: bool = False  # said by the site, or guessed (a generic URL without a length)
    live_reported: bool = False  # the site itself says it is live now
    platform: str | None = None
    channel: str | None = None
    duration_s: float | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    is_local_file: bool = False
    started_at: datetime | None = None  # when a VOD was streamed or published (UTC, naive)


@dataclass(frozen=True)
class AudioChunk:
    """Float32 mono 16 kHz samples starting at `start_s` on the recording's timeline."""

    samples: np.ndarray
    start_s: float

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s
