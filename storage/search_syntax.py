"""What a user types into search, read once for every database.

The syntax: every word must match; "double quotes" keep a phrase together; a word ending
in `*` is a prefix. Anything else (operators, brackets, a stray quote) is punctuation, never
syntax, so no query a user types can raise an error. The SQLite (FTS5) and PostgreSQL
(tsquery) back ends render the same parsed terms in their own language, so the same query
means the same on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_PIECE = re.compile(r"[\w']+")
_HAS_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Term:
    """Words that must appear one after another (a single word, or a quoted phrase);
    `prefix`: the (single) word may be the start of a longer one."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """The terms of `query`, in order; empty when it holds no word at all.

    A word with punctuation inside (`a*b(c)`, `-x`) becomes its word pieces, each a term
    of its own, as FTS5 always read them; the prefix mark of `stop*` applies to its pieces.
    """
    terms: list[Term] = []
    for phrase, word in _TOKEN.findall(query):
        if phrase:
            words = tuple(_pieces(phrase))
            if words:
                terms.append(Term(words))
            continue
        prefix = word.endswith("*")
        terms.extend(Term((piece,), prefix) for piece in _pieces(word))
    return terms


def _pieces(text: str) -> list[str]:
    """Runs of word characters (apostrophes kept inside: don't), ignoring bare apostrophes."""
    return [p for p in _PIECE.findall(text) if _HAS_WORD.search(p)]
