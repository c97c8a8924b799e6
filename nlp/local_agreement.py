"""The LocalAgreement-2 commit policy of whisper_streaming, independent of any ASR backend.

A word is committed once two consecutive hypotheses over the growing audio buffer agree on it
(as a common prefix). Kept free of the model so it can be tested with recorded hypotheses.
"""

from __future__ import annotations

import re

from nlp.types import Word

_NORMALIZE = re.compile(r"[^\w']+")
NGRAM_DEDUP = 5


def normalize(text: str) -> str:
    return _NORMALIZE.sub("", text.lower())


class HypothesisBuffer:
    def __init__(self) -> None:
        self.committed_in_buffer: list[Word] = []
        self.buffer: list[Word] = []
        self.new: list[Word] = []
        self.last_committed_time = 0.0

    def reset(self, time: float) -> None:
        self.committed_in_buffer = []
        self.buffer = []
        self.new = []
        self.last_committed_time = time

    def insert(self, words: list[Word]) -> None:
        """Take a new hypothesis (absolute times); drop what overlaps the committed text."""
        self.new = [w for w in words if w.start > self.last_committed_time - 0.1]
        if not self.new or not self.committed_in_buffer:
            return
        if abs(self.new[0].start - self.last_committed_time) >= 1.0:
            return
        committed = self.committed_in_buffer
        for n in range(1, min(len(committed), len(self.new), NGRAM_DEDUP) + 1):
            tail = [normalize(w.text) for w in committed[-n:]]
            head = [normalize(w.text) for w in self.new[:n]]
            if tail == head:
                del self.new[:n]
                break

    def flush(self) -> list[Word]:
        """Commit the longest common prefix of the previous and the new hypothesis."""
        commit: list[Word] = []
        while self.new and self.buffer:
            if normalize(self.new[0].text) != normalize(self.buffer[0].text):
                break
            word = self.new.pop(0)
            self.buffer.pop(0)
            commit.append(word)
            self.last_committed_time = word.end
        self.buffer = self.new
        self.new = []
        self.committed_in_buffer.extend(commit)
        return commit

    def force_commit(self, words: list[Word]) -> None:
        """Take `words` as committed without agreement (the caller bounds latency); the
        pending hypothesis is dropped and the next one is compared from their end."""
        self.reset(words[-1].end)
        self.committed_in_buffer = list(words)

    def pop_committed(self, time: float) -> None:
        while self.committed_in_buffer and self.committed_in_buffer[0].end <= time:
            self.committed_in_buffer.pop(0)

    def uncommitted(self) -> list[Word]:
        return list(self.buffer)
