"""Named entities of a fixed sentence, merged mention counts."""

from __future__ import annotations

from nlp.entities import Mention, count_mentions, mentions


def test_people_places_and_organisations_of_a_fixed_sentence():
    found = mentions(
        [
            (12.0, "Joe Biden met Emmanuel Macron in Paris on Tuesday before the NATO summit."),
            (30.0, "Later, Biden's team flew to Berlin."),
        ]
    )
    kinds = {(m.text, m.kind) for m in found}
    assert ("Joe Biden", "person") in kinds and ("Emmanuel Macron", "person") in kinds
    assert ("Paris", "place") in kinds and ("Berlin", "place") in kinds
    assert ("NATO", "organisation") in kinds
    assert next(m for m in found if m.text == "Berlin").start_s == 30.0
    assert ("Biden", "person") in kinds  # the possessive is dropped


def test_counts_merge_case_and_keep_first_time():
    rows = count_mentions(
        [
            Mention("Paris", "place", 5.0),
            Mention("PARIS", "place", 2.0),
            Mention("Paris", "place", 9.0),
            Mention("Ann", "person", 1.0),
        ]
    )
    assert rows[0] == ("Paris", "place", 3, 2.0) and rows[1] == ("Ann", "person", 1, 1.0)
