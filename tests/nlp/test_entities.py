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


def test_a_surname_or_first_name_alone_joins_the_one_full_name():
    rows = count_mentions(
        [
            Mention("Joe Biden", "person", 10.0),
            Mention("Biden", "person", 3.0),
            Mention("Biden", "person", 20.0),
            Mention("Caroline Sunshine", "person", 40.0),
            Mention("Caroline", "person", 50.0),
            Mention("Joe", "person", 60.0),  # Joe Biden or Joe Rogan: stays alone
            Mention("Joe Rogan", "person", 70.0),
            Mention("Paris", "place", 1.0),
            Mention("Paris Hilton", "person", 80.0),  # a place is no first name
            Mention("Trump", "person", 90.0),
            Mention("Donald Trump", "person", 91.0),
            Mention("Donald J. Trump", "person", 92.0),  # the same man: one full name
        ]
    )
    by_name = {name: (count, first) for name, _kind, count, first in rows}
    assert by_name["Joe Biden"] == (3, 3.0) and "Biden" not in by_name
    assert by_name["Caroline Sunshine"] == (2, 40.0)
    assert by_name["Joe"] == (1, 60.0) and by_name["Joe Rogan"] == (1, 70.0)
    assert by_name["Paris"] == (1, 1.0) and by_name["Paris Hilton"] == (1, 80.0)
    assert by_name["Donald Trump"] == (3, 90.0) and "Trump" not in by_name
