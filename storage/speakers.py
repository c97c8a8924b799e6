"""Voice profiles and recordings' speakers (who speaks), and the transcript's speaker column.

The segment's `speaker` column holds the name shown (the profile's name, else its label
"Speaker N"), so `show`, search, export and the GUI read it without a join; renaming or
deleting a profile rewrites that column in every recording where the voice was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.errors import StorageError
from storage.orm import RecordingSpeaker, Segment, VoiceProfile
from storage.recordings import utcnow
from storage.records import RecordingSpeakerRecord, VoiceProfileRecord


@dataclass(frozen=True)
class FoundSpeaker:
    """A speaker a diarization pass found, settled against the profiles (`app.speakers`)."""

    label: str
    profile_id: int | None
    speech_s: float
    similarity: float | None
    centroid: bytes


class SpeakerRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # --- profiles --------------------------------------------------------------------------

    def profiles(self, source_id: int | None = None) -> list[VoiceProfileRecord]:
        """A source's voice profiles (all sources' when None), oldest first."""
        used = (
            select(RecordingSpeaker.profile_id, func.count(RecordingSpeaker.id).label("n"))
            .group_by(RecordingSpeaker.profile_id)
            .subquery()
        )
        query = (
            select(VoiceProfile, func.coalesce(used.c.n, 0))
            .outerjoin(used, used.c.profile_id == VoiceProfile.id)
            .order_by(VoiceProfile.source_id, VoiceProfile.number)
        )
        if source_id is not None:
            query = query.where(VoiceProfile.source_id == source_id)
        with translate_errors("read the voice profiles"), self._sessions() as session:
            return [_profile(row, n) for row, n in session.execute(query)]

    def profile(self, profile_id: int) -> VoiceProfileRecord:
        with translate_errors("read the voice profiles"), self._sessions() as session:
            row = session.get(VoiceProfile, profile_id)
            if row is None:
                raise StorageError(f"There is no voice profile {profile_id}.")
            return _profile(row)

    def create_profile(
        self, source_id: int | None, centroid: bytes, weight_s: float, number: int | None = None
    ) -> VoiceProfileRecord:
        """A new voice of `source_id`: `number` when the source has no voice of that number
        yet (the number a live transcript showed), else numbered after the others."""
        with translate_errors("save the voice profile"), self._sessions.begin() as session:
            same_source = (
                VoiceProfile.source_id.is_(None)
                if source_id is None
                else VoiceProfile.source_id == source_id
            )
            taken = set(session.scalars(select(VoiceProfile.number).where(same_source)))
            if number is None or number in taken:
                number = max(taken, default=0) + 1
            now = utcnow()
            row = VoiceProfile(
                source_id=source_id,
                number=number,
                centroid=centroid,
                weight_s=weight_s,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _profile(row)

    def next_number(self, source_id: int | None) -> int:
        """The number the source's next new voice will get."""
        with translate_errors("read the voice profiles"), self._sessions() as session:
            last = session.scalar(
                select(func.max(VoiceProfile.number)).where(
                    VoiceProfile.source_id.is_(None)
                    if source_id is None
                    else VoiceProfile.source_id == source_id
                )
            )
            return (last or 0) + 1

    def update_profile(self, profile_id: int, centroid: bytes, weight_s: float) -> None:
        with translate_errors("save the voice profile"), self._sessions.begin() as session:
            row = session.get(VoiceProfile, profile_id)
            if row is not None:
                row.centroid = centroid
                row.weight_s = weight_s
                row.updated_at = utcnow()

    def rename_profile(self, profile_id: int, name: str | None) -> VoiceProfileRecord:
        """Name a voice (None: back to "Speaker N"), in every recording where it was found."""
        name = (name or "").strip() or None
        with translate_errors("rename the speaker"), self._sessions.begin() as session:
            row = session.get(VoiceProfile, profile_id)
            if row is None:
                raise StorageError(f"There is no voice profile {profile_id}.")
            if name is not None:
                clash = session.scalar(
                    select(VoiceProfile.number).where(
                        VoiceProfile.name == name,
                        VoiceProfile.id != profile_id,
                        VoiceProfile.source_id.is_(None)
                        if row.source_id is None
                        else VoiceProfile.source_id == row.source_id,
                    )
                )
                if clash is not None:
                    raise StorageError(
                        f"Another voice of this source (speaker {clash}) is already "
                        f"called {name!r}: choose another name."
                    )
            for speaker in session.scalars(
                select(RecordingSpeaker).where(RecordingSpeaker.profile_id == profile_id)
            ):
                _show_in_transcript(
                    session, speaker.recording_id, row.name or speaker.label, name or speaker.label
                )
            row.name = name
            row.updated_at = utcnow()
            session.flush()
            return _profile(row)

    def adopt(
        self,
        recording_id: int,
        label: str,
        source_id: int | None,
        centroid: bytes,
        weight_s: float,
    ) -> VoiceProfileRecord:
        """A new profile for a recording's speaker that has none (its profile was deleted),
        linked to it; the speaker keeps its label."""
        profile = self.create_profile(source_id, centroid, weight_s)
        with translate_errors("save the voice profile"), self._sessions.begin() as session:
            session.execute(
                update(RecordingSpeaker)
                .where(
                    RecordingSpeaker.recording_id == recording_id, RecordingSpeaker.label == label
                )
                .values(profile_id=profile.id)
            )
        return profile

    def delete_profile(self, profile_id: int) -> None:
        """Forget a voice: recordings keep their speakers, under their labels again."""
        with translate_errors("delete the voice profile"), self._sessions.begin() as session:
            row = session.get(VoiceProfile, profile_id)
            if row is None:
                raise StorageError(f"There is no voice profile {profile_id}.")
            for speaker in session.scalars(
                select(RecordingSpeaker).where(RecordingSpeaker.profile_id == profile_id)
            ):
                _show_in_transcript(
                    session, speaker.recording_id, row.name or speaker.label, speaker.label
                )
                speaker.profile_id = None
                speaker.similarity = None
            session.delete(row)

    # --- a recording's speakers ------------------------------------------------------------

    def for_recording(self, recording_id: int) -> list[RecordingSpeakerRecord]:
        """The recording's speakers, most speech first, with how many segments each has."""
        counts = (
            select(Segment.speaker, func.count(Segment.id).label("n"))
            .where(Segment.recording_id == recording_id)
            .group_by(Segment.speaker)
            .subquery()
        )
        query = (
            select(RecordingSpeaker, VoiceProfile.name)
            .outerjoin(VoiceProfile, VoiceProfile.id == RecordingSpeaker.profile_id)
            .where(RecordingSpeaker.recording_id == recording_id)
            .order_by(RecordingSpeaker.speech_s.desc(), RecordingSpeaker.id)
        )
        with translate_errors("read the speakers"), self._sessions() as session:
            shown = {who: n for who, n in session.execute(select(counts.c.speaker, counts.c.n))}
            return [
                RecordingSpeakerRecord(
                    row.recording_id,
                    row.label,
                    row.profile_id,
                    name,
                    row.speech_s,
                    row.similarity,
                    row.centroid,
                    shown.get(name or row.label, 0),
                )
                for row, name in session.execute(query)
            ]

    def replace_for_recording(
        self,
        recording_id: int,
        speakers: Iterable[FoundSpeaker],
        segment_speakers: Mapping[int, str | None],
    ) -> None:
        """Store the speakers a pass found and what each segment shows (segment id →
        name), in one transaction: the transcript never shows a name without its speaker."""
        with translate_errors("save the speakers"), self._sessions.begin() as session:
            session.execute(
                delete(RecordingSpeaker).where(RecordingSpeaker.recording_id == recording_id)
            )
            session.add_all(
                RecordingSpeaker(
                    recording_id=recording_id,
                    profile_id=s.profile_id,
                    label=s.label,
                    speech_s=s.speech_s,
                    similarity=s.similarity,
                    centroid=s.centroid,
                )
                for s in speakers
            )
            by_name: dict[str | None, list[int]] = {}
            for segment_id, name in segment_speakers.items():
                by_name.setdefault(name, []).append(segment_id)
            for name, ids in by_name.items():
                for start in range(0, len(ids), 500):
                    session.execute(
                        update(Segment)
                        .where(Segment.id.in_(ids[start : start + 500]))
                        .values(speaker=name)
                    )


def _show_in_transcript(session: Session, recording_id: int, shown: str, new: str) -> None:
    """The segments of `recording_id` that show `shown` show `new` instead."""
    session.execute(
        update(Segment)
        .where(Segment.recording_id == recording_id, Segment.speaker == shown)
        .values(speaker=new)
    )


def _profile(row: VoiceProfile, recordings: int = 0) -> VoiceProfileRecord:
    return VoiceProfileRecord(
        row.id, row.source_id, row.number, row.name, row.centroid, row.weight_s, recordings
    )
