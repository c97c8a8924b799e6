"""Settings in one place: defaults, then environment (`STREAMLENS_*`), then command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from app.errors import SettingsError
from app.preferences import DEFAULT_MODEL, Preferences, read_preferences

APP_NAME = "streamlens"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str = field(repr=False)  # may hold a password: show `display_url(db_url)`
    cache_dir: Path
    model: str = DEFAULT_MODEL
    cpu_threads: int = 0  # 0: chosen from the machine
    chat_enabled: bool = True  # capture chat when the platform has it
    speakers: bool = True  # label who speaks (diarization) in every transcription
    speaker_model: str | None = None  # a speaker encoder of the user's (.pt or .onnx)
    twitch_irc: str | None = None  # irc://host:port (plain) or [ircs://]host:port (TLS)
    moderation_threshold: float | None = None  # None: the model's own (tuned on dev)
    channel_thresholds: dict[str, float] = field(default_factory=dict)  # per channel

    def threshold_for(self, channel: str | None) -> float | None:
        if channel and channel.lower() in self.channel_thresholds:
            return self.channel_thresholds[channel.lower()]
        return self.moderation_threshold

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def model_cache_dir(self) -> Path:
        return self.cache_dir / "models"


def db_url_from(value: str) -> str:
    """A database URL from a URL or a file path."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def load_settings(
    *,
    db: str | None = None,
    data_dir: str | None = None,
    model: str | None = None,
    preferences: Preferences | None = None,
) -> Settings:
    """Defaults, then the preferences file, then `STREAMLENS_*` variables, then flags.

    A value that cannot be used raises `SettingsError` with one sentence saying which and
    why (the CLI prints it as its error line; the GUI shows it). `preferences` replaces the
    file (the GUI passes defaults when the file is bad, so the window still opens).
    """
    env = os.environ
    prefs = read_preferences() if preferences is None else preferences
    base = Path(
        data_dir
        or env.get("STREAMLENS_DATA_DIR")
        or prefs.data_dir
        or platformdirs.user_data_dir(APP_NAME)
    ).expanduser()
    db_value = db or env.get("STREAMLENS_DB") or str(base / "streamlens.db")
    cache = Path(env.get("STREAMLENS_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))
    return Settings(
        data_dir=base,
        db_url=db_url_from(db_value),
        cache_dir=cache.expanduser(),
        model=model or env.get("STREAMLENS_MODEL") or prefs.model,
        cpu_threads=_cpu_threads(env.get("STREAMLENS_CPU_THREADS", "")),
        chat_enabled=prefs.chat.enabled,
        speakers=_switch("STREAMLENS_SPEAKERS", env.get("STREAMLENS_SPEAKERS"), prefs.speakers),
        speaker_model=env.get("STREAMLENS_SPEAKER_MODEL") or None,
        twitch_irc=env.get("STREAMLENS_TWITCH_IRC") or prefs.chat.twitch_irc,
        moderation_threshold=prefs.moderation.threshold,
        channel_thresholds=dict(prefs.moderation.channels),
    )


def _switch(name: str, value: str | None, default: bool) -> bool:
    """An on/off variable: 1/on/yes/true or 0/off/no/false; unset: `default`."""
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in ("1", "on", "yes", "true"):
        return True
    if word in ("0", "off", "no", "false"):
        return False
    raise SettingsError(f"{name} must be on or off (1 or 0), not {value!r}.")


def _cpu_threads(value: str) -> int:
    try:
        threads = int(value.strip() or 0)
    except ValueError:
        threads = -1
    if threads < 0:
        raise SettingsError(
            f"STREAMLENS_CPU_THREADS must be a whole number of threads (0 lets Streamlens "
            f"choose), not {value!r}."
        )
    return threads
