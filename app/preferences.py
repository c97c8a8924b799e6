"""The preferences file (`settings.json` in the config folder): one typed, validated shape,
read and written only here.

What the Settings dialog saves and what `load_settings` reads are the same model, so a value
one side writes is a value the other accepts. A file someone edited by hand into something
wrong (a threshold of 7, a list where a table belongs, broken JSON) is one sentence naming
the file, the key and what it should be — never a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.errors import SettingsError

PREFERENCES_FILE = "settings.json"
DEFAULT_MODEL = "tiny.en"

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class _Section(BaseModel):
    # Keys this version does not know (written by a newer one) are kept, not dropped.
    model_config = ConfigDict(extra="allow", validate_assignment=True)


class ChatPreferences(_Section):
    enabled: bool = True  # capture chat when the platform has it
    twitch_irc: str | None = None  # irc://host:port (plain) or [ircs://]host:port (TLS)


class ModerationPreferences(_Section):
    threshold: Probability | None = None  # None: the model's own (tuned on dev)
    channels: dict[str, Probability] = Field(default_factory=dict)

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, channels: dict[str, float]) -> dict[str, float]:
        """Channel names as chat reports them: lower case, without IRC's '#'."""
        return {name.strip().lstrip("#").lower(): value for name, value in channels.items()}


class Preferences(_Section):
    model: Annotated[str, Field(min_length=1)] = DEFAULT_MODEL
    data_dir: str | None = None
    speakers: bool = True  # label who speaks in every transcription
    chat: ChatPreferences = Field(default_factory=ChatPreferences)
    moderation: ModerationPreferences = Field(default_factory=ModerationPreferences)


def config_dir() -> Path:
    """Where preferences live (STREAMLENS_CONFIG_DIR, else the user's config folder)."""
    import platformdirs

    return Path(
        os.environ.get("STREAMLENS_CONFIG_DIR") or platformdirs.user_config_dir("streamlens")
    ).expanduser()


def preferences_path() -> Path:
    return config_dir() / PREFERENCES_FILE


def read_preferences(path: Path | None = None) -> Preferences:
    """The saved preferences; defaults when there is no file; SettingsError when it is bad."""
    path = path or preferences_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Preferences()
    except OSError as exc:
        raise SettingsError(f"Cannot read the preferences file {path}: {exc.strerror}.") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SettingsError(
            f"The preferences file {path} is not valid JSON ({exc}); fix it, or delete it "
            "to start from the defaults."
        ) from exc
    try:
        return Preferences.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_explain(path, exc)) from exc


def write_preferences(preferences: Preferences, path: Path | None = None) -> Path:
    """Save preferences atomically (a crash mid-write keeps the old file)."""
    path = path or preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    text = json.dumps(preferences.model_dump(mode="json"), indent=2, sort_keys=True)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _explain(path: Path, exc: ValidationError) -> str:
    """The first problem pydantic found, as one sentence for the user."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "the file"
    if error["type"] == "model_type":
        where = "the file" if not error["loc"] else where
    got = error.get("input")
    more = len(exc.errors()) - 1
    return (
        f"The preferences file {path} has a bad value for {where}: "
        f"{error['msg'].rstrip('.').lower()} (it is {json.dumps(got)})"
        + (f", and {more} more problem{'s' if more > 1 else ''}" if more > 0 else "")
        + "; fix it in Settings or in the file, or delete the file to start from the defaults."
    )
