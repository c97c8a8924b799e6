"""Whisper saying again what was just committed.

A streaming transcriber sometimes gets back, word for word, a sentence it committed a
moment ago: Whisper copying the text it was shown (its prompt, or the left context it hears
again), audio handed to it twice (a recording continued by another worker after a crash,
a stream that replays its last seconds on reconnect). `drop_repetition_loops` in
`nlp.asr` keeps a short phrase said twice, as people do say it; this catches the long
copies no speaker makes: a run of `ECHO_MIN_WORDS` or more words that repeats, in the same
order, words among the last `ECHO_LOOKBACK_WORDS` committed.
"""

from __future__ import annotations

from nlp.types import Word

ECHO_MIN_WORDS = 8
ECHO_LOOKBACK_WORDS = 60


def drop_echoes(words: list[Word], said: list[Word]) -> list[Word]:
    """`words` (about to be committed) without the runs that repeat, word for word, text
    in `said` (the words decoded for commit before them, echoes included).

    A run that began in `said` (an echo whose first words were committed in an earlier
    step: `live` commits a few words at a time) counts from its first word, so the rest
    of it is dropped once the copy reaches `ECHO_MIN_WORDS`."""
    if not words:
        return words
    before = [_key(w.text) for w in said[-ECHO_LOOKBACK_WORDS:]]
    keys = before + [_key(w.text) for w in words]
    echo = _echo_positions(keys, first=len(before))
    return [w for i, w in enumerate(words) if len(before) + i not in echo]


def _echo_positions(keys: list[str], first: int) -> set[int]:
    """Positions from `first` on inside a run of `ECHO_MIN_WORDS`+ keys equal, one by one,
    to an earlier run that ends before it begins (a copy, not the run itself)."""
    echo: set[int] = set()
    n = len(keys)
    for shift in range(1, n):  # the copy starts `shift` words after the original
        run = 0
        for y in range(shift, n):
            if keys[y] and keys[y] == keys[y - shift]:
                run += 1
            else:
                run = 0
            # The run covers y-run+1 .. y; its original ends `shift` earlier, before it.
            if run >= ECHO_MIN_WORDS and run <= shift:
                echo.update(p for p in range(y - run + 1, y + 1) if p >= first)
    return echo


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "'")
