"""Settings in one place: defaults, then environment (`STREAMLENS_*`), then command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "streamlens"
DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str
    cache_dir: Path
    model: str = DEFAULT_MODEL
    cpu_threads: int = 0  # 0: chosen from the machine

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
    base = Path(data_dir or env.get("STREAMLENS_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))
    base = base.expanduser()
    db_value = db or env.get("STREAMLENS_DB") or str(base / "streamlens.db")
    cache = Path(env.get("STREAMLENS_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))
    settings = Settings(
        data_dir=base,
        db_url=db_url_from(db_value),
        cache_dir=cache.expanduser(),
        model=model or env.get("STREAMLENS_MODEL") or DEFAULT_MODEL,
        cpu_threads=int(env.get("STREAMLENS_CPU_THREADS", "0") or 0),
    )
    return settings
