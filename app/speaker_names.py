"""Naming the voices: what `speakers rename` and a click in the recording view do.

A name belongs to a voice profile, so naming a speaker once names it in every recording
where that voice was found, and in recordings to come.
"""

from __future__ import annotations

from app.errors import UsageError
from storage import Library
from storage.records import RecordingSpeakerRecord, VoiceProfileRecord


def find_speaker(library: Library, recording_id: int, who: str) -> RecordingSpeakerRecord:
    """The recording's speaker `who` names: its label ("Speaker 3"), its number ("3"), or
    the name it shows."""
    speakers = library.speakers.for_recording(recording_id)
    wanted = who.strip().casefold()
    for speaker in speakers:
        number = speaker.label.rsplit(" ", 1)[-1]
        if wanted in (speaker.label.casefold(), number, speaker.display.casefold()):
            return speaker
    shown = ", ".join(s.display for s in speakers) or "none were found"
    raise UsageError(f"Recording {recording_id} has no speaker {who!r} (its speakers: {shown}).")


def rename_speaker(
    library: Library, recording_id: int, who: str, name: str | None
) -> VoiceProfileRecord:
    """Give the speaker's voice `name` (None or "": its label again), everywhere it speaks.
    A speaker whose profile was deleted gets a new one from its voice in this recording."""
    speaker = find_speaker(library, recording_id, who)
    profile_id = speaker.profile_id
    if profile_id is None:
        recording = library.recordings.get(recording_id)
        profile = library.speakers.adopt(
            recording_id, speaker.label, recording.source_id, speaker.centroid, speaker.speech_s
        )
        profile_id = profile.id
    return library.speakers.rename_profile(profile_id, name)
