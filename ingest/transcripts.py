"""Existing transcripts: SRT, WebVTT (incl. YouTube auto-captions), Whisper/WhisperX JSON.

Imported as they are, so an archive that was transcribed once is not transcribed again.
Parsers are strict about structure (a clear error naming the line) and lenient about
what real files contain (BOMs, cue settings, inline tags, rolling caption duplicates).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError

TRANSCRIPT_SUFFIXES = (".srt", ".vtt", ".json")
_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_TAG = re.compile(r"<[^>]*>")
_SPEAKER_TAG = re.compile(r"<v(?:\.[\w.]+)?\s+([^>]+)>")


class TranscriptFormatError(IngestError):
    """A transcript file that cannot be read as one."""


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str
    speaker: str | None = None


def read_transcript(path: Path) -> list[Cue]:
    """Cues of an SRT, VTT or JSON transcript, in time order; errors say what is wrong where."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TranscriptFormatError(f"{path.name} is not UTF-8 text.") from None
    except OSError as exc:
        raise TranscriptFormatError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        cues = parse_json_transcript(text, path.name)
    elif suffix == ".vtt":
        cues = parse_vtt(text, path.name)
    elif suffix == ".srt":
        cues = parse_srt(text, path.name)
    else:
        raise TranscriptFormatError(f"{path.name}: not a transcript format (SRT, VTT or JSON).")
    if not cues:
        raise TranscriptFormatError(f"{path.name} holds no transcript text.")
    return sorted(cues, key=lambda c: (c.start_s, c.end_s))


def looks_like_transcript_json(path: Path) -> bool:
    """True for Whisper-style JSON (a list of {start, end, text} or {"segments": [...]})."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    items = data.get("segments") if isinstance(data, dict) else data
    return (
        isinstance(items, list)
        and bool(items)
        and isinstance(items[0], dict)
        and {"start", "end", "text"} <= items[0].keys()
    )


def parse_json_transcript(text: str, name: str = "transcript") -> list[Cue]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptFormatError(f"{name} is not valid JSON (line {exc.lineno}).") from None
    items = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TranscriptFormatError(f"{name}: expected a list of segments with start, end, text.")
    cues = []
    for number, item in enumerate(items, 1):
        try:
            start, end = float(item["start"]), float(item["end"])
            words = str(item["text"]).strip()
        except (KeyError, TypeError, ValueError):
            raise TranscriptFormatError(
                f"{name}: segment {number} lacks a numeric start, end or a text."
            ) from None
        if words:
            speaker = item.get("speaker")
            cues.append(Cue(start, max(start, end), words, str(speaker) if speaker else None))
    return cues


def parse_srt(text: str, name: str = "subtitles.srt") -> list[Cue]:
    cues = []
    for block, first_line in _blocks(text):
        timing_index = next((i for i, line in enumerate(block) if "-->" in line), None)
        if timing_index is None or timing_index > 1:
            raise TranscriptFormatError(f"{name}, line {first_line}: expected a cue timing line.")
        start, end = _timing(block[timing_index], name, first_line + timing_index)
        words = _clean(" ".join(block[timing_index + 1 :]))
        if words:
            cues.append(Cue(start, end, words))
    return cues


def parse_vtt(text: str, name: str = "captions.vtt") -> list[Cue]:
    blocks = _blocks(text)
    if not blocks or not blocks[0][0][0].startswith("WEBVTT"):
        raise TranscriptFormatError(f"{name} does not start with WEBVTT.")
    cues: list[Cue] = []
    previous_lines: list[str] = []
    for block, first_line in blocks[1:]:
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_index = next((i for i, line in enumerate(block) if "-->" in line), None)
        if timing_index is None or timing_index > 1:
            raise TranscriptFormatError(f"{name}, line {first_line}: expected a cue timing line.")
        start, end = _timing(block[timing_index], name, first_line + timing_index)
        raw = block[timing_index + 1 :]
        speaker_match = _SPEAKER_TAG.search(" ".join(raw))
        lines = [_clean(line) for line in raw]
        lines = [line for line in lines if line]
        # YouTube auto-captions roll: each cue repeats the previous cue's last line.
        fresh = [line for line in lines if line not in previous_lines]
        if lines:
            previous_lines = lines
        if fresh:
            speaker = speaker_match.group(1).strip() if speaker_match else None
            cues.append(Cue(start, end, " ".join(fresh), speaker))
    return cues


def _blocks(text: str) -> list[tuple[list[str], int]]:
    """Blank-line separated blocks of stripped lines, each with its first line number."""
    blocks: list[tuple[list[str], int]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((current, start))
            current = []
    if current:
        blocks.append((current, start))
    return blocks


def _timing(line: str, name: str, number: int) -> tuple[float, float]:
    match = _TIMING.match(line)
    if not match:
        raise TranscriptFormatError(f"{name}, line {number}: cannot read the timing {line!r}.")
    start, end = (_seconds(group) for group in match.groups())
    return start, max(start, end)


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _clean(line: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", line)).split())
