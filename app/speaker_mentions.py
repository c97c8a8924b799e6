"""Who mentions whom: the named entities of a recording, counted per speaker.

The entities are those the analysis found in the whole recording (`entities ID`); each is
counted in each speaker's own lines (whole words, any case), so a call-in show reads as
"the host mentions the mayor 4 times, the caller the council twice".
"""

from __future__ import annotations

import re
from collections import Counter

from storage import Library


def mentions_by_speaker(
    library: Library, recording_id: int, top: int = 5
) -> dict[str, list[tuple[str, int]]]:
    """Speaker → their most mentioned entities (name, times), most first; speakers who
    mention none are left out."""
    names = sorted(
        {e.name for e in library.entities.for_recording(recording_id, scope="recording")},
        key=len,
        reverse=True,
    )
    if not names:
        return {}
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", flags=re.IGNORECASE
    )
    canonical = {n.casefold(): n for n in names}
    counts: dict[str, Counter] = {}
    for segment in library.segments.for_recording(recording_id):
        if not segment.speaker:
            continue
        for match in pattern.finditer(segment.text):
            name = canonical[match.group(1).casefold()]
            counts.setdefault(segment.speaker, Counter())[name] += 1
    return {speaker: c.most_common(top) for speaker, c in counts.items()}
