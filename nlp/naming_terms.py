"""Terms that name something: noun phrases and named entities, for trends.

Trends count which terms many recent recordings share. Counted as bare words and n-grams,
the top of the list filled with words every talk show uses some weeks more than others
("tree", "remove", "assume", "formula", "listener", "mask"). What an analyst wants from a
trend is a name: a person, a place, an organisation, an event ("kamala harris",
"republican national convention", "secret service", "hurricane debby") or a noun phrase
("assassination attempt", "running mate"). So a transcript's terms for trends are:

- its named entities (spaCy's English pipeline, the kinds `nlp.entities` keeps), of one
  word or more (a person of one word only as the surname of a full name said too);
- its noun phrases, read off part-of-speech tags (adjectives and nouns ending on a noun,
  no determiner), of two words or more;

lower-cased, cut to their last `MAX_WORDS` words, and never starting or ending on a stop
word or a filler, so each is also a phrase the search index finds in the transcript.
A single common noun or any verb is never a term.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from nlp.entities import KEPT, SPACY_MODEL
from nlp.errors import ModelUnavailable
from nlp.keywords import FILLERS, is_stop_word, tokens

MAX_WORDS = 3
BATCH = 64
_PHRASE_POS = frozenset({"ADJ", "NOUN", "PROPN"})
_HEAD_POS = frozenset({"NOUN", "PROPN"})
# Adjectives that say how much or how good, not what: "great job", "big deal", "whole thing".
_VAGUE = frozenset(
    {"good", "great", "big", "bad", "best", "better", "new", "old", "little", "whole", "real"}
    | {"same", "other", "different", "certain", "entire", "own", "full", "long", "short"}
    | {"huge", "nice", "quick", "important", "true", "wrong", "sure", "hard", "high", "low"}
    | {"many", "much", "few", "several", "last", "next", "first", "second", "final", "past"}
)

# Calendar words are proper nouns that name no topic.
_CALENDAR = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today"}
    | {"january", "february", "march", "april", "may", "june", "july", "august"}
    | {"september", "october", "november", "december", "tonight", "tomorrow", "yesterday"}
)


@lru_cache(maxsize=1)
def load_tagger():
    """spaCy's small English pipeline with tags and entities (no parser, no lemmas)."""
    try:
        import spacy

        return spacy.load(SPACY_MODEL, disable=["parser", "lemmatizer"])
    except (ImportError, OSError) as exc:
        raise ModelUnavailable(
            f"The spaCy English model ({SPACY_MODEL}) is not installed: {exc}"
        ) from None


def naming_terms(texts: Iterable[str]) -> list[str]:
    """The distinct names and noun phrases of some texts (a recording's segments), sorted.

    A one-word term must be an entity: a place, organisation, event, group… ("milwaukee",
    "hezbollah"), or a person's surname that the same texts also give in full ("vance"
    after "JD Vance"). A first name said alone ("dan", "craig": the host, a caller) is
    not a term."""
    nlp = load_tagger()
    found: set[str] = set()
    people: set[str] = set()  # one-word person names
    for doc in nlp.pipe((t for t in texts if t.strip()), batch_size=BATCH):
        for ent in doc.ents:
            if ent.label_ not in KEPT:
                continue
            words = tokens(ent.text)
            if ent.label_ == "PERSON" and len(words) == 1:
                people.update(words)
            else:
                _add(found, words, allow_single=True)
        found.update(noun_phrases(doc))
    surnames = {t.split()[-1] for t in found if " " in t}
    found.update(p for p in people if p in surnames and not _weak(p))
    return sorted(found)


def noun_phrases(doc) -> set[str]:
    """Runs of adjectives and nouns that end on a noun, of two words or more: never one
    word ("tree"; a one-word name comes from the entities)."""
    out: set[str] = set()
    run: list = []
    for token in [*doc, None]:
        if token is not None and token.pos_ in _PHRASE_POS and not token.is_punct:
            run.append(token)
            continue
        while run and run[-1].pos_ not in _HEAD_POS:
            run.pop()
        while run and run[0].pos_ == "ADJ" and run[0].lower_ in _VAGUE:
            run.pop(0)
        if run:
            _add(out, tokens(" ".join(t.text for t in run)), allow_single=False)
        run = []
    return out


def _add(found: set[str], words: list[str], allow_single: bool) -> None:
    words = words[-MAX_WORDS:]
    while words and (_weak(words[0]) or words[0].isdigit()):
        words = words[1:]
    while words and _weak(words[-1]):
        words = words[:-1]
    if not words or (len(words) == 1 and (not allow_single or words[0] in _CALENDAR)):
        return
    if any(w in FILLERS for w in words) or len(words[-1]) < 3:
        return
    found.add(" ".join(words))


def _weak(word: str) -> bool:
    return is_stop_word(word) or len(word) < 2
