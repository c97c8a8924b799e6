"""Trends rank terms that name something: entities and noun phrases, never a lone common
noun or a verb. The sentences are written for these tests."""

from __future__ import annotations

from nlp.naming_terms import naming_terms


def test_names_and_noun_phrases_are_terms():
    terms = naming_terms(
        [
            "Former President Donald Trump spoke at the Republican National Convention in "
            "Milwaukee on Thursday.",
            "The assassination attempt raised questions for the Secret Service.",
        ]
    )
    for name in ("donald trump", "republican national convention", "milwaukee"):
        assert name in terms, terms
    assert "assassination attempt" in terms and "secret service" in terms


def test_single_common_words_and_verbs_are_not():
    """What filled the trends before: "tree", "remove", "assume", "formula", "listener"."""
    terms = naming_terms(
        [
            "Remove the tree and assume the formula works for every listener with a mask.",
            "It was a great job on Thursday.",
        ]
    )
    assert not {"tree", "remove", "assume", "formula", "listener", "mask", "thursday"} & set(
        terms
    ), terms
    assert "great job" not in terms  # a vague adjective is cut; "job" alone is no name


def test_terms_are_phrases_as_said():
    """Lower-case, no leading article or possessive: what the search index finds."""
    terms = naming_terms(["The Governor's budget was signed by the Ohio Senate."])
    assert "ohio senate" in terms
    assert all(t == t.lower() and not t.startswith("the ") for t in terms)
