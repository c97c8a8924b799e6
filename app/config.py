"""Settings in one place: defaults, then environment (`STREAMLENS_*`), then command-line flags."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "streamlens"
PREFERENCES_FILE = "settings.json"
DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str
    cache_dir: Path
    model: str = DEFAULT_MODEL
    cpu_threads: int = 0  # 0: chosen from the machine
    chat_enabled: bool = True  # capture chat when the platform has it
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
    *, db: str | None = None, data_dir: str | None = None, model: str | None = None
) -> Settings:
    env = os.environ
    prefs = read_preferences()
    base = Path(
        data_dir
        or env.get("STREAMLENS_DATA_DIR")
        or prefs.get("data_dir")
        or platformdirs.user_data_dir(APP_NAME)
    )
    base = base.expanduser()
    db_value = db or env.get("STREAMLENS_DB") or str(base / "streamlens.db")
    cache = Path(env.get("STREAMLENS_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))
    moderation = prefs.get("moderation") or {}
    settings = Settings(
        data_dir=base,
        db_url=db_url_from(db_value),
        cache_dir=cache.expanduser(),
        model=model or env.get("STREAMLENS_MODEL") or prefs.get("model") or DEFAULT_MODEL,
        cpu_threads=int(env.get("STREAMLENS_CPU_THREADS", "0") or 0),
        chat_enabled=bool((prefs.get("chat") or {}).get("enabled", True)),
        twitch_irc=env.get("STREAMLENS_TWITCH_IRC") or (prefs.get("chat") or {}).get("twitch_irc"),
        moderation_threshold=_float_or_none(moderation.get("threshold")),
        channel_thresholds={
            str(k).lower(): float(v) for k, v in (moderation.get("channels") or {}).items()
        },
    )
    return settings


def config_dir() -> Path:
    """Where preferences live (STREAMLENS_CONFIG_DIR, else the user's config folder)."""
    return Path(
        os.environ.get("STREAMLENS_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME)
    ).expanduser()


def read_preferences() -> dict:
    """What the Settings dialog saved (`settings.json` in the config dir); {} when absent/bad.

    Environment variables and command-line flags override these.
    """
    path = config_dir() / PREFERENCES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("Ignoring unreadable %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def write_preferences(preferences: dict) -> Path:
    """Save preferences atomically (a crash mid-write keeps the old file)."""
    path = config_dir() / PREFERENCES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(preferences, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _float_or_none(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
