"""The records the views display, and the library handle they are read through.

The GUI never imports `storage`, `nlp` or `ingest` (an import-linter contract says so): the
types it shows come from here, re-exported, so `app/` stays the one door between the front
ends and the layers below.
"""

from ingest.types import StreamInfo
from storage import (
    ChatMessageRecord,
    ChatWindowRecord,
    EntityRecord,
    KeywordRecord,
    Library,
    RecordingRecord,
    ScheduleRunRecord,
    SearchHit,
    SegmentRecord,
    SourceRecord,
    SummaryRecord,
)
from storage.recordings import (
    STATUS_COMPLETE,
    STATUS_FAILED,
    STATUS_INTERRUPTED,
    STATUS_RECORDING,
)

__all__ = [
    "STATUS_COMPLETE",
    "STATUS_FAILED",
    "STATUS_INTERRUPTED",
    "STATUS_RECORDING",
    "ChatMessageRecord",
    "ChatWindowRecord",
    "EntityRecord",
    "KeywordRecord",
    "Library",
    "RecordingRecord",
    "ScheduleRunRecord",
    "SearchHit",
    "SegmentRecord",
    "SourceRecord",
    "StreamInfo",
    "SummaryRecord",
]
