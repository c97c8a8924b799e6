"""Keywords of recordings and trends across the library (see `nlp.keywords` for the method).

IDF comes from the whole library (each recording one document) and is cached until the
library grows; engagement from the recording's chat, when it has any. Keywords and trends
are drawn from what was said less the station breaks and ads (idents, promos, sponsor
copy), which would otherwise put call signs and sponsors at the top of every radio
recording. Trends rank names and noun phrases (`nlp.naming_terms`), computed once per
transcript (at import and analysis, else at the first trends call) and stored.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from app.errors import USER_ERRORS, UsageError
from app.timefmt import naive_utc
from nlp.keywords import (
    REBROADCAST_JACCARD,
    WINDOW_S,
    Burst,
    bursts,
    candidate_terms,
    idf_table,
    window_keywords,
)
from nlp.station_breaks import programme_texts
from storage import Library
from storage.records import RecordingRecord

log = logging.getLogger(__name__)
_IDF_CACHE: dict[str, tuple[int, dict[str, float], int]] = {}
_IDF_LOCK = threading.Lock()


def recording_terms(library: Library) -> dict[int, set[str]]:
    """Every recording's candidate terms, station breaks left out: read from the library
    where the transcript is unchanged since they were stored (its fingerprint), computed
    and stored where not. Trends and IDF need every recording's terms at every call; this
    keeps them from re-reading every transcript each time."""
    fingerprints = library.segments.fingerprints()
    stored = library.terms.all()
    out: dict[int, set[str]] = {}
    fresh: dict[int, tuple[str, list[str]]] = {}
    for recording_id, fingerprint in fingerprints.items():
        known = stored.get(recording_id)
        if known and known[0] == fingerprint:
            out[recording_id] = set(known[1])
            continue
        segments = library.segments.for_recording(recording_id)
        said = " ".join(programme_texts([(s.start_s, s.end_s, s.text) for s in segments]))
        out[recording_id] = set(candidate_terms(said))
        fresh[recording_id] = (fingerprint, sorted(out[recording_id]))
    library.terms.save(fresh)
    return out


def recording_names(library: Library) -> dict[int, set[str]]:
    """Every recording's names and noun phrases (what trends rank), station breaks and ads
    left out: read from the library where stored for the transcript as it is, computed with
    spaCy and stored where not. Without spaCy's model, the candidate terms of more than one
    word stand in (logged)."""
    terms = recording_terms(library)  # refreshes the fingerprints the names are stored with
    fingerprints = library.segments.fingerprints()
    stored = library.terms.names()
    out: dict[int, set[str]] = {}
    for recording_id, fingerprint in fingerprints.items():
        known = stored.get(recording_id)
        if known and known[0] == fingerprint:
            out[recording_id] = set(known[1])
            continue
        try:
            names = _names_of(library, recording_id)
        except USER_ERRORS as exc:
            log.warning("Trends fall back to word phrases: %s", exc)
            return {
                rid: {t for t in found if " " in t} | out.get(rid, set())
                for rid, found in terms.items()
            }
        library.terms.save_names({recording_id: (fingerprint, sorted(names))})
        out[recording_id] = names
    return out


def store_recording_terms(library: Library, recording_id: int) -> None:
    """Compute and store one recording's terms and names now (after an import or a new
    analysis), so that trends need not run spaCy over it later."""
    fingerprint = library.segments.fingerprints().get(recording_id)
    if fingerprint is None:
        return
    segments = library.segments.for_recording(recording_id)
    said = programme_texts([(s.start_s, s.end_s, s.text) for s in segments])
    library.terms.save({recording_id: (fingerprint, sorted(set(candidate_terms(" ".join(said)))))})
    try:
        names = _names_of(library, recording_id, said)
    except USER_ERRORS as exc:
        log.warning("No names for trends: %s", exc)
        return
    library.terms.save_names({recording_id: (fingerprint, sorted(names))})


def _names_of(library: Library, recording_id: int, said: list[str] | None = None) -> set[str]:
    from nlp.naming_terms import naming_terms

    if said is None:
        segments = library.segments.for_recording(recording_id)
        said = programme_texts([(s.start_s, s.end_s, s.text) for s in segments])
    return set(naming_terms(said))


def library_idf(library: Library) -> tuple[dict[str, float], int]:
    """IDF over the library's recordings, recomputed only when the library has grown by more
    than a tenth since (a batch import would otherwise redo it for every item)."""
    recordings = library.recordings.list()
    key = library.url
    with _IDF_LOCK:
        cached = _IDF_CACHE.get(key)
        if cached and cached[0] <= len(recordings) <= cached[0] * 1.1 + 1:
            return cached[1], cached[2]
    terms = recording_terms(library)
    idf, count = idf_table(terms.get(r.id, ()) for r in recordings)
    with _IDF_LOCK:
        _IDF_CACHE[key] = (len(recordings), idf, count)
    return idf, count


def analyse_keywords(library: Library, recording_id: int, window_s: float = WINDOW_S) -> int:
    """Compute and store a recording's window and overall keywords; returns how many."""
    segments = library.segments.for_recording(recording_id)
    if not segments:
        library.keywords.replace(recording_id, [])
        return 0
    end = max(s.end_s for s in segments)
    count = int(end // window_s) + 1
    texts = [[] for _ in range(count)]
    said = programme_texts([(s.start_s, s.end_s, s.text) for s in segments])
    for s, text in zip(segments, said, strict=True):
        texts[min(count - 1, int(s.start_s // window_s))].append(text)
    chat = [0.0] * count
    for message in library.chat.for_recording(recording_id, kinds=("message",)):
        chat[min(count - 1, max(0, int(message.offset_s // window_s)))] += 1
    idf, documents = library_idf(library)
    per_window, overall = window_keywords(
        [" ".join(t) for t in texts], idf, documents, chat if any(chat) else None
    )
    rows = [
        {
            "scope": "recording",
            "start_s": 0.0,
            "end_s": end,
            "term": k.term,
            "score": k.score,
            "count": k.count,
        }
        for k in overall
    ]
    for i, keywords in enumerate(per_window):
        rows += [
            {
                "scope": "window",
                "start_s": i * window_s,
                "end_s": (i + 1) * window_s,
                "term": k.term,
                "score": k.score,
                "count": k.count,
            }
            for k in keywords
        ]
    library.keywords.replace(recording_id, rows)
    return len(rows)


def broadcasts(
    recordings: list[RecordingRecord], words: dict[int, set[str]], names: dict[int, set[str]]
) -> list[set[str]]:
    """The names of each distinct voice among some recordings: recordings of one station
    (source) are one voice, and so are recordings sharing `REBROADCAST_JACCARD` of their
    word terms (a simulcast, rerun or syndicated show; see `merge_rebroadcasts`)."""
    parent = list(range(len(recordings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of_source: dict[int, int] = {}
    for i, r in enumerate(recordings):
        if r.source_id is not None:
            parent[root(i)] = root(first_of_source.setdefault(r.source_id, i))
    for i, j in itertools.combinations(range(len(recordings)), 2):
        a, b = words.get(recordings[i].id, set()), words.get(recordings[j].id, set())
        if a and b and len(a & b) / len(a | b) >= REBROADCAST_JACCARD:
            parent[root(i)] = root(j)
    merged: dict[int, set[str]] = {}
    for i, r in enumerate(recordings):
        merged.setdefault(root(i), set()).update(names.get(r.id, set()))
    return list(merged.values())


@dataclass(frozen=True)
class Trend:
    burst: Burst
    moments: list[tuple[int, str, float]]  # (recording id, title, seconds)


def default_trend_start(library: Library) -> datetime:
    """Where "recent" begins when the user does not say: the newest fifth of the library."""
    starts = sorted(r.started_at for r in library.recordings.list())
    if len(starts) < 2 or starts[0] == starts[-1]:
        raise UsageError("Trends need recordings from at least two different times.")
    return starts[int(len(starts) * 0.8)]


def trends(
    library: Library, since: datetime, until: datetime | None = None, top: int = 15
) -> list[Trend]:
    """Names and noun phrases bursting in recordings started in [since, until) against all
    earlier ones. A station (one source) counts once per period, whatever it recorded, so
    its host's and its callers' recurring names are not news; a simulcast, rerun or
    syndicated show counts once too (`broadcasts`).

    `since` and `until` may be aware (any zone) or naive UTC, as stored.
    """
    since, until = naive_utc(since), naive_utc(until)
    recent: list[RecordingRecord] = []
    baseline: list[RecordingRecord] = []
    for r in library.recordings.list():
        if until is None or r.started_at < until:
            (recent if r.started_at >= since else baseline).append(r)
    words, names = recording_terms(library), recording_names(library)
    recent_docs = broadcasts(recent, words, names)
    baseline_docs = broadcasts(baseline, words, names)
    recent_ids = {r.id: r.title or r.url for r in recent}
    found = []
    for burst in bursts(recent_docs, baseline_docs, top=top):
        hits = [
            h
            for h in library.search.search(f'"{burst.term}"', limit=200)
            if h.recording_id in recent_ids
        ]
        first_hits = {}  # one moment per recording: how widely it was said, not how often
        for h in hits:
            first_hits.setdefault(h.recording_id, h)
        moments = [
            (h.recording_id, recent_ids[h.recording_id], h.start_s)
            for h in list(first_hits.values())[:5]
        ]
        found.append(Trend(burst, moments))
    return found


def analyse_entities(library: Library, recording_id: int, window_s: float = WINDOW_S) -> int:
    """Named entities of a recording, overall and per window, stored; returns how many."""
    from nlp.entities import count_mentions, mentions

    segments = library.segments.for_recording(recording_id)
    found = mentions([(s.start_s, s.text) for s in segments])
    end = max((s.end_s for s in segments), default=0.0)
    rows = [
        {
            "scope": "recording",
            "start_s": 0.0,
            "end_s": end,
            "name": n,
            "kind": k,
            "mentions": c,
            "first_s": f,
        }
        for n, k, c, f in count_mentions(found)
    ]
    windows: dict[int, list] = {}
    for m in found:
        windows.setdefault(int(m.start_s // window_s), []).append(m)
    for index, items in sorted(windows.items()):
        rows += [
            {
                "scope": "window",
                "start_s": index * window_s,
                "end_s": (index + 1) * window_s,
                "name": n,
                "kind": k,
                "mentions": c,
                "first_s": f,
            }
            for n, k, c, f in count_mentions(items)
        ]
    library.entities.replace(recording_id, rows)
    return len(rows)
