"""Readable transcripts: punctuation restored across segments, and extractive summaries per
clip and per recording, stored for the CLI, the GUI and exports.

`ClipSummaries` follows a live session: when committed speech passes a clip boundary, the
finished clip is summarised in the background and a `SummaryUpdated` event is published;
when the session ends, every clip and the whole recording are summarised.
"""

from __future__ import annotations

import logging
import re
import threading

from app.errors import USER_ERRORS
from app.events import (
    EventBus,
    KeywordsUpdated,
    SegmentCommitted,
    SummaryUpdated,
    TutorialsUpdated,
)
from nlp.live_priority import pause_for_live, run_in_background
from storage import Library

log = logging.getLogger(__name__)

_END_MARK = re.compile(r"[.!?]")


def punctuate_text(text: str) -> str:
    """Pasted or piped text with punctuation and capitals predicted again, paragraph by
    paragraph (blank lines kept): the Punctuate text tool and `punctuate FILE` alike."""
    from nlp.punctuation import load_punctuation_model

    model = load_punctuation_model()
    return "\n\n".join(
        model.restore(paragraph) for paragraph in text.split("\n\n") if paragraph.strip()
    )


def lacks_punctuation(texts: list[str], share: float = 0.2) -> bool:
    """True for transcripts where fewer than `share` of the segments end a sentence anywhere
    (auto-captions, lower-case exports): those are worth re-punctuating."""
    texts = [t for t in texts if t.strip()]
    if not texts:
        return False
    return sum(bool(_END_MARK.search(t)) for t in texts) / len(texts) < share


def punctuate_recording(library: Library, recording_id: int) -> int:
    """Restore punctuation and case over the whole transcript (windows cross segments);
    segment texts are rewritten, the raw text kept. Returns segments changed."""
    from nlp.punctuation import bare_words, load_punctuation_model, render

    model = load_punctuation_model()
    segments = library.segments.for_recording(recording_id)
    per_segment = [bare_words(s.raw_text or s.text) for s in segments]
    words = [w for ws in per_segment for w in ws]
    labels = model.label_words(words)
    text = render(labels).split(" ")  # one token per word, punctuation attached
    texts: dict[int, str] = {}
    position = 0
    for segment, ws in zip(segments, per_segment, strict=True):
        texts[segment.id] = " ".join(text[position : position + len(ws)]) or segment.text
        position += len(ws)
    library.segments.rewrite_texts(texts)
    return sum(1 for s in segments if texts[s.id] != s.text)


def summarize_recording(
    library: Library, recording_id: int, summarizer=None, clip_s: float | None = None
) -> int:
    """Summaries of every clip and of the whole recording; returns how many clips."""
    from app.keywords import library_idf
    from nlp.summarize import CLIP_S, Summarizer, utterances_from_segments

    summarizer = summarizer or Summarizer(idf=library_idf(library))
    recording = library.recordings.get(recording_id)
    segments = library.segments.for_recording(recording_id)
    utterances = utterances_from_segments([(s.start_s, s.end_s, s.text) for s in segments])
    size = clip_s or CLIP_S
    clips, overall = summarizer.summarize(utterances, recording.title, clip_s=size)
    library.summaries.replace_all(
        recording_id,
        [
            (
                (c.start_s // size) * size,
                (c.start_s // size + 1) * size,
                [(u.start_s, u.end_s, u.text) for u in c.picks],
            )
            for c in clips
        ],
        [(u.start_s, u.end_s, u.text) for u in overall],
    )
    return len(clips)


def analyse_recording(library: Library, recording_id: int, punctuate: bool | None = None) -> str:
    """Everything derived from a stored transcript, done again: punctuation (always with
    `punctuate=True`; with None only when the transcript has none), then summaries,
    keywords and entities. Returns what was done, in words."""
    from app.keywords import analyse_entities, analyse_keywords, store_recording_terms

    notes = []
    if punctuate is None:
        punctuate = lacks_punctuation(
            [s.text for s in library.segments.for_recording(recording_id)]
        )
    if punctuate:
        changed = punctuate_recording(library, recording_id)
        notes.append(f"punctuation restored in {changed} segments")
    notes.append(f"{summarize_recording(library, recording_id)} clip summaries")
    analyse_keywords(library, recording_id)
    analyse_entities(library, recording_id)
    store_recording_terms(library, recording_id)  # what trends rank, computed once here
    notes.append("keywords and entities")
    return "; ".join(notes)


class LiveClipAnalysis:
    """Analyses each clip of a live session as soon as speech has moved past it: its
    summary, the keyword strip and (for creative streams) tutorial recommendations.

    One worker thread per session does the work, in order. Clips that finish while it is
    busy are merged into one pending range, so a slow machine does one larger analysis
    later instead of piling up a thread per clip.
    """

    def __init__(
        self,
        library: Library,
        bus: EventBus,
        recording_id: int,
        title: str | None,
        clip_s=None,
        catalog=None,
    ) -> None:
        from nlp.summarize import CLIP_S

        self.library = library
        self.bus = bus
        self.recording_id = recording_id
        self.title = title
        self.clip_s = clip_s or CLIP_S
        self.catalog = catalog  # tutorials to recommend from (None: no recommendations)
        self._sticky = None
        self._creative = False  # has the stream named a program or several tools yet?
        self._done_until = 0.0  # clips before this time are handed to the worker
        self._pending: tuple[float, float] | None = None  # clips waiting for the worker
        self._stopping = False
        self._wake = threading.Condition()
        self._worker = threading.Thread(target=self._work, name="live-clip-analysis", daemon=True)
        self._worker.start()
        self._unsubscribe = bus.subscribe(self._on_segment, SegmentCommitted)

    def _on_segment(self, event: SegmentCommitted) -> None:
        if event.recording_id != self.recording_id or not event.final:
            return
        boundary = (event.start_s // self.clip_s) * self.clip_s
        with self._wake:
            if boundary <= self._done_until:
                return
            start, self._done_until = self._done_until, boundary
            self._pending = (self._pending[0] if self._pending else start, boundary)
            self._wake.notify()

    def _work(self) -> None:
        # Background work: the live transcript, which the user is watching, goes before a
        # clip summary that can come a few seconds later (lower priority, and a pause
        # before each step while a live decode runs).
        run_in_background()
        while True:
            with self._wake:
                while self._pending is None and not self._stopping:
                    self._wake.wait()
                if self._pending is None:
                    return
                start, end = self._pending
                self._pending = None
            self._summarize(start, end)

    def _summarize(self, start: float, end: float) -> None:
        from nlp.summarize import Summarizer, clips, utterances_from_segments

        try:
            segments = [
                (s.start_s, s.end_s, s.text)
                for s in self.library.segments.for_recording(self.recording_id)
                if start <= s.start_s < end
            ]
            from app.keywords import library_idf

            summarizer = Summarizer(idf=library_idf(self.library))
            for clip in clips(utterances_from_segments(segments), self.clip_s):
                pause_for_live()
                clip_start = (clip[0].start_s // self.clip_s) * self.clip_s
                summary = summarizer.summarize_clip(clip, self.title, first=clip_start == 0)
                sentences = [(u.start_s, u.end_s, u.text) for u in summary.picks]
                clip_end = clip_start + self.clip_s
                self.library.summaries.save_clip(self.recording_id, clip_start, clip_end, sentences)
                self.bus.publish(
                    SummaryUpdated(
                        self.recording_id, "clip", clip_start, clip_end, tuple(sentences)
                    )
                )
            pause_for_live()
            self._publish_keywords((end // self.clip_s - 1) * self.clip_s)
            pause_for_live()
            self._publish_tutorials(" ".join(text for _s, _e, text in segments), end)
        except USER_ERRORS as exc:
            log.warning("Clip summary failed: %s", exc)
        except Exception:
            log.exception("Clip summary failed")

    def _publish_tutorials(self, text: str, end: float) -> None:
        """Tutorials for what the streamer did in the clip, steady across clips (issue: a
        Photoshop stream must not jump to Blender because one clip said "render")."""
        if not self.catalog or not text.strip():
            return
        from nlp.tutorials import Recommender, StickyRecommender, names_creative_work

        if self._sticky is None:
            self._sticky = StickyRecommender(Recommender(self.catalog), k=3)
        self._creative = self._creative or names_creative_work(
            self._sticky.recommender.ontology, text
        )
        if not self._creative:
            return
        picks = self._sticky.update(text)
        self.bus.publish(TutorialsUpdated(self.recording_id, end, tuple(picks)))

    def _publish_keywords(self, window_start: float | None = None) -> None:
        """Keywords of the clip that just ended (or of the latest one) for the live strip."""
        from app.keywords import analyse_keywords

        analyse_keywords(self.library, self.recording_id, window_s=self.clip_s)
        windows = self.library.keywords.for_recording(self.recording_id, "window")
        starts = {k.start_s for k in windows}
        last = window_start if window_start in starts else max(starts, default=None)
        if last is not None:
            latest = [k for k in windows if k.start_s == last]
            self.bus.publish(
                KeywordsUpdated(
                    self.recording_id, last, latest[0].end_s, tuple(k.term for k in latest)
                )
            )

    def finish(self) -> None:
        """Summarise everything (the last clip and the whole recording) and stop following."""
        self._unsubscribe()
        with self._wake:
            self._stopping = True  # the worker does what is pending, then ends
            self._wake.notify()
        self._worker.join(60)
        try:
            summarize_recording(self.library, self.recording_id, clip_s=self.clip_s)
            self._publish_keywords()
            from app.keywords import analyse_entities, store_recording_terms

            analyse_entities(self.library, self.recording_id)
            store_recording_terms(self.library, self.recording_id)
            for summary in self.library.summaries.for_recording(self.recording_id):
                self.bus.publish(
                    SummaryUpdated(
                        self.recording_id,
                        summary.kind,
                        summary.start_s,
                        summary.end_s,
                        tuple(summary.sentences),
                    )
                )
        except USER_ERRORS as exc:
            log.warning("Summaries failed: %s", exc)
        except Exception:
            log.exception("Summaries failed")
