"""`RecordingTermsRepository`: each recording's candidate terms, with the transcript
fingerprint they were computed from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import RecordingTermsRow


class RecordingTermsRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def all(self) -> dict[int, tuple[str, list[str]]]:
        """Recording id → (fingerprint, terms), for every recording that has them."""
        with translate_errors("read the library's terms"), self._sessions() as session:
            rows = session.scalars(select(RecordingTermsRow))
            return {r.recording_id: (r.fingerprint, list(r.terms)) for r in rows}

    def save(self, items: dict[int, tuple[str, list[str]]]) -> None:
        """Store (fingerprint, terms) per recording id, replacing what was there."""
        if not items:
            return
        with translate_errors("save the library's terms"):
            try:
                self._merge(items)
            except IntegrityError:
                # Another process or import worker computed and stored some of the same
                # recordings' terms between our read and our write: write again, as updates.
                self._merge(items)

    def _merge(self, items: dict[int, tuple[str, list[str]]]) -> None:
        with self._sessions.begin() as session:
            for recording_id, (fingerprint, terms) in items.items():
                session.merge(
                    RecordingTermsRow(
                        recording_id=recording_id, fingerprint=fingerprint, terms=terms
                    )
                )
