"""`SummaryRepository`: clip and recording summaries."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import Summary
from storage.recordings import utcnow
from storage.records import SummaryRecord

KIND_CLIP = "clip"
KIND_RECORDING = "recording"


class SummaryRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save_clip(self, recording_id: int, start_s: float, end_s: float, sentences: list) -> None:
        """Store (or replace) the summary of the clip starting at `start_s`."""
        with translate_errors("save the summary"), self._sessions.begin() as session:
            session.execute(
                delete(Summary).where(
                    Summary.recording_id == recording_id,
                    Summary.kind == KIND_CLIP,
                    Summary.start_s == start_s,
                )
            )
            session.add(_row(recording_id, KIND_CLIP, start_s, end_s, sentences))

    def replace_all(
        self, recording_id: int, clips: list[tuple[float, float, list]], overall: list
    ) -> None:
        """All of a recording's summaries at once (after a session or on demand)."""
        with translate_errors("save the summaries"), self._sessions.begin() as session:
            session.execute(delete(Summary).where(Summary.recording_id == recording_id))
            for start, end, sentences in clips:
                session.add(_row(recording_id, KIND_CLIP, start, end, sentences))
            if overall:
                start = min(s[0] for s in overall)
                end = max(s[1] for s in overall)
                session.add(_row(recording_id, KIND_RECORDING, start, end, overall))

    def for_recording(self, recording_id: int) -> list[SummaryRecord]:
        """The recording summary first, then clips in time order."""
        with translate_errors("read summaries"), self._sessions() as session:
            rows = session.scalars(
                select(Summary)
                .where(Summary.recording_id == recording_id)
                .order_by(Summary.kind.desc(), Summary.start_s)
            )
            return [
                SummaryRecord(
                    kind=r.kind,
                    start_s=r.start_s,
                    end_s=r.end_s,
                    sentences=[tuple(s) for s in r.sentences],
                )
                for r in rows
            ]


def _row(recording_id: int, kind: str, start: float, end: float, sentences: list) -> Summary:
    return Summary(
        recording_id=recording_id,
        kind=kind,
        start_s=start,
        end_s=end,
        sentences=[[float(a), float(b), str(t)] for a, b, t in sentences],
        created_at=utcnow(),
    )
