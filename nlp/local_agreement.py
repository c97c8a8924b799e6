"""The LocalAgreement-2 commit policy of whisper_streaming, independent of any ASR backend.

A word is committed once two consecutive hypotheses over the growing audio buffer agree on it
(as a common prefix). Kept free of the model so it can be tested with recorded hypotheses.

One departure from the strict prefix: a short disagreement (`BRIDGE_WORDS` words or fewer on
either side) followed by `ANCHOR_WORDS` or more agreed words, at the same times, is bridged
with the newer hypothesis's words. Whisper often hesitates over a name or the first word
after a commit ("Huma Sains, and most of you seemed to welcome the plan" then "numerous
lanes, and most of you seemed to welcome the plan") while agreeing on everything after it;
a strict prefix then commits nothing until the utterance ends, which was most of a live
stream's latency beyond 4 s. The newer hypothesis has heard more of the sentence, so its
version of the uncertain words is the better guess.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from nlp.types import Word

_NORMALIZE = re.compile(r"[^\w']+")
NGRAM_DEDUP = 5
BRIDGE_WORDS = 2  # the longest disagreement (on either side) that agreement after it bridges
ANCHOR_WORDS = 3  # agreed words needed after a disagreement to bridge it
SAME_TIME_S = 1.0  # how far apart two hypotheses may place a word they agree on


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
        """Commit what the previous and the new hypothesis agree on (see `agreed_length`).

        An empty hypothesis (Whisper returned nothing new, as it now and then does under a
        prompt) keeps the previous one to agree with: letting it clear the buffer cost two
        more steps, 2 s, before anything could be committed again.
        """
        if not self.new:
            return []
        count = agreed_length(self.buffer, self.new) if self.buffer else 0
        commit = self.new[:count]
        if commit:
            self.last_committed_time = commit[-1].end
        self.buffer = self.new[count:]
        self.new = []
        self.committed_in_buffer.extend(commit)
        return commit

    def commit_settled(self, before: float) -> list[Word]:
        """Commit the pending words of the newest hypothesis that end before `before`,
        agreed on or not: audio well behind the live edge has been heard with its right
        context, and a hypothesis that has is the better guess than waiting for another."""
        count = 0
        while count < len(self.buffer) and self.buffer[count].end <= before:
            count += 1
        commit, self.buffer = self.buffer[:count], self.buffer[count:]
        if commit:
            self.last_committed_time = commit[-1].end
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


def agreed_length(previous: list[Word], new: list[Word]) -> int:
    """How many leading words of `new` the two hypotheses agree on: their common prefix,
    carried across short disagreements that more agreement follows (see the module)."""
    old_keys = [normalize(w.text) for w in previous]
    new_keys = [normalize(w.text) for w in new]
    blocks = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
    agreed = 0
    for index, (tag, i1, i2, j1, j2) in enumerate(blocks):
        if tag == "equal":
            for offset in range(i2 - i1):
                if abs(previous[i1 + offset].start - new[j1 + offset].start) > SAME_TIME_S:
                    return agreed
                agreed = j1 + offset + 1
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        bridged = (
            max(i2 - i1, j2 - j1) <= BRIDGE_WORDS
            and following is not None
            and following[0] == "equal"
            and following[2] - following[1] >= ANCHOR_WORDS
        )
        if not bridged:
            return agreed
    return agreed
