"""Advertising and promos (prices and offers, calls to action, a business's pitch) are told
from news and talk, count as station breaks, and stay out of summaries. The sentences are
written for these tests, in the style of US talk radio."""

from __future__ import annotations

import pytest

from nlp.ads import ad_cues, is_advertisement, names, names_the_sponsor, sounds_like_selling
from nlp.station_breaks import is_station_break, programme_texts, station_break_flags
from nlp.summarize import Utterance, worth_summarizing

ADS = [
    "Save up to 40% on patio furniture at Harbor Home this weekend.",
    "Buy one pizza, get one free every Tuesday at Mario's.",
    "Zero percent financing for 60 months on every new truck.",
    "Use promo code RADIO at checkout.",
    "Call Valley Roofing today for your free inspection.",
    "Shop the Memorial Day sale at Dunn's Furniture.",
    "Stop by any of our three locations in Tulsa.",
    "Visit the showroom on Route 9 and take a test drive.",
    "We offer same-day service on every furnace we install.",
    "Pine Ridge Pest Control is family-owned and has been serving the tri-county area since 1978.",
    "Licensed and insured, with a satisfaction guaranteed.",
    "Leases starting at just $249 a month for 36 months.",
    "Go to harborhome dot com for details.",
    "Get peace of mind with a whole-house generator.",
    "Our friendly experts make switching your plan a breeze.",
    "Schedule your appointment with Dr. Kaye's office by calling 555 201 3344.",
    "I'm Dana Welch, and I approve this message.",
    "Find the whole interview by searching Garage Talk wherever you get your podcasts.",
    "Leases from 289 a month, 4.9% APR, just 17.66 per thousand financed.",
    "To RSVP, call the chamber office by Friday.",
]

NEWS_AND_TALK = [
    "The council approved a tax break for the new plant on Tuesday.",
    "Gas prices rose eight cents a gallon this week, the highest since March.",
    "The governor called for a special session on the budget.",
    "Stores in the mall stayed closed after the flooding.",
    "Let's go to the phones, Dave in Springfield, you're on the air.",
    "We have been talking about the debate all morning.",
    "He said the company would offer buyouts to about 200 workers.",
    "The free clinic saw twice as many patients as last year.",
    "Officials say the recall covers two million vehicles sold since 2019.",
    "Why do voters keep electing the same people and expecting something different?",
    "The senator's family owned a farm in the county for three generations.",
    "It would make it much easier for people to cast that ballot.",
    # Close to the new cues and block rules: a price in the news, a sponsor in the news,
    # a campaign's message, a listener's call, traffic and weather as news.
    "The senator said she would not approve the budget without changes to the message bill.",
    "Investors were searching for clues in the jobs report before the opening bell.",
    "Ford said it financed more trucks this quarter than in any quarter since 2019.",
    "A truck traveling on the interstate crossed the median and hit two cars.",
    "Heat waves like this one feel like the new normal, the mayor said.",
    "Here is what the governor said about the budget on Tuesday.",
    "Police found the boy by searching the woods behind the school.",
    "To register a complaint, the family went to the county office.",
    "The university's news office said classes resume on Monday.",
]


@pytest.mark.parametrize("sentence", ADS)
def test_ads_are_recognised(sentence):
    assert ad_cues(sentence), sentence
    assert is_station_break(sentence)


@pytest.mark.parametrize("sentence", NEWS_AND_TALK)
def test_news_and_talk_are_not_ads(sentence):
    assert not is_advertisement(sentence), ad_cues(sentence)


def test_uncued_ad_copy_next_to_an_ad_is_part_of_the_spot():
    """ "Woodhead Bank has your back, with local service" has no cue of its own; beside a
    cued line of the same spot it goes too, while news beside an ad stays."""
    spot = [
        (0.0, 4.0, "Woodhead Bank has your back, with local service you can count on."),
        (4.0, 8.0, "Visit any Woodhead branch today."),
        (8.5, 14.0, "In the news, the school board met for three hours last night."),
    ]
    assert sounds_like_selling(spot[0][2]) and not is_advertisement(spot[0][2])
    assert station_break_flags(spot) == [True, True, False]
    assert programme_texts(spot) == ["", "", spot[2][2]]


def test_selling_words_alone_do_not_make_an_ad():
    """A host telling listeners how to call in uses the same words, with no spot nearby."""
    talk = [
        (0.0, 5.0, "The best thing you can do today is call your county clerk."),
        (5.0, 9.0, "The board meets again next month."),
    ]
    assert station_break_flags(talk) == [False, False]


def test_summaries_do_not_pick_ads():
    ad = Utterance(0.0, 5.0, "Save up to 40% on patio furniture at Harbor Home this weekend.")
    news = Utterance(5.0, 9.0, "The council approved a tax break for the new plant.")
    assert not worth_summarizing(ad)
    assert worth_summarizing(news)


SPOT = [
    (0.0, 6.0, "Dream vacations start with Archer Luxury Travel."),
    (6.0, 12.0, "From cruises to resorts, Archer Luxury Travel does it all."),
    (12.0, 16.0, "The sea, the sun and so much fun."),
    (16.0, 22.0, "Call the owner direct or visit archerluxurytravel.com."),
]


def test_a_spot_that_names_its_sponsor_goes_with_its_address():
    """ "Archer Luxury Travel does it all" has no cue of its own; it names the business
    whose web address the spot gives, so the whole spot is a break."""
    assert not any(is_advertisement(text) for _s, _e, text in SPOT[:3])
    assert names_the_sponsor(SPOT[1][2], SPOT[3][2])
    assert station_break_flags(SPOT) == [True, True, True, True]


def test_news_naming_a_place_or_person_is_not_the_sponsor():
    """News next to an ad shares names with it (a state, a politician, a city); only a
    business's own name ties a line to the spot."""
    assert not names_the_sponsor(
        "Prices in the United States rose two percent last month, the Labor Department said.",
        "Every product we sell is made in the United States, call 555-201-3344.",
    )
    assert not names_the_sponsor(
        "Pensacola police arrested two men after the shooting.",
        "Visit newsradiopensacola.com for more.",
    )
    news = [
        (0.0, 6.0, "Mayor Ann Brooks said the Riverside Bridge will reopen in March."),
        (6.5, 12.0, "Crews are still repairing the deck after the spring flood."),
        (12.5, 18.0, "Shop Riverside Hardware for deals on every grill this weekend."),
    ]
    assert station_break_flags(news) == [False, False, True]


def test_names_are_runs_of_capitalised_words():
    assert names("At Archer Luxury Travel, they're expecting you.") == {"archer luxury travel"}
    assert names("Prices rose on Tuesday.") == set()


def test_blocks_spread_between_flagged_lines_but_not_into_the_programme():
    """An uncued line between two lines of a spot goes with it even when one of them was
    flagged only by the block rule; the programme after the break stays."""
    items = [
        (0.0, 4.0, "Visit Harbor Home on Route 9."),
        (4.0, 8.0, "Patio sets, grills and umbrellas."),
        (8.0, 12.0, "Everything for the summer."),
        (12.0, 16.0, "Harbor Home, open seven days a week."),
        (40.0, 46.0, "Back to the news: the school board met for three hours last night."),
        (46.0, 52.0, "Members voted to delay the vote on the new bus contract."),
    ]
    assert station_break_flags(items) == [True, True, True, True, False, False]


POD = [
    (0.0, 5.0, "Cut your business costs with Ledgerline, the cloud books for small firms."),
    (5.0, 9.0, "Everything in one place, from payroll to inventory."),
    (9.5, 11.0, "Access from anywhere."),
    (11.5, 16.0, "You cut the cost of keeping three systems running."),
    (16.5, 22.0, "And you stop chasing paperwork across the office."),
    (22.5, 23.5, "So do the math."),
    (24.0, 28.0, "Visit ledgerline.com slash radio."),
]


def test_the_uncued_middle_of_a_long_spot_goes_with_it():
    """Four uncued lines between a spot's own lines (its address at the end, its sponsor's
    name at the start) are more than the block rule reaches; they lie within 30 s of each
    other, so the whole spot is a break."""
    assert not any(is_advertisement(text) for _s, _e, text in POD[1:6])
    assert station_break_flags(POD) == [True] * len(POD)


def test_news_between_two_station_idents_is_not_an_ad_pod():
    """A 25-second report between two idents stays: neither end is ad copy."""
    news = [
        (0.0, 3.0, "You're listening to News Talk 98.7 WRGA."),
        (3.5, 9.0, "The county commission voted to delay the new jail."),
        (9.5, 15.0, "Commissioners said the cost had doubled since spring."),
        (15.5, 21.0, "The sheriff said crowding at the old jail is dangerous."),
        (21.5, 26.0, "A new vote is set for next month."),
        (26.5, 29.0, "News Talk 98.7 WRGA."),
    ]
    assert station_break_flags(news) == [True, False, False, False, False, True]


def test_a_long_gap_between_spot_lines_keeps_the_talk_between():
    """Talk between two ads more than 30 s apart is the programme, not the spot."""
    talk = [
        (0.0, 4.0, "Visit harborhome.com today."),
        (25.0, 31.0, "The board met for three hours last night."),
        (31.5, 38.0, "Members voted to delay the bus contract."),
        (38.5, 45.0, "Parents said the delay would cost the district."),
        (60.0, 64.0, "Call Valley Roofing today for your free inspection."),
    ]
    assert station_break_flags(talk) == [True, False, False, False, True]


def test_second_reading_counts_struck_picks_and_chance_corrected_agreement():
    """The radio benchmark's second-reader figure: struck picks counted per pick (a
    sentence picked twice counts twice), kappa over distinct sentences, and a second reader
    who agrees on everything scores 1 while one who strikes the opposite lines scores < 0."""
    from benchmarks.radio_summaries import second_reading, sentence_key

    picks = ["Call 555 1234 today.", "The council voted.", "The council voted.", "Rain later."]
    first = {
        sentence_key("Call 555 1234 today."): "ad",
        sentence_key("The council voted."): "programme",
        sentence_key("Rain later."): "break",
    }
    same = dict(first)
    assert second_reading(picks, first, same) == (2, 2, 4, 1.0)
    flipped = {
        sentence_key("Call 555 1234 today."): "programme",
        sentence_key("The council voted."): "ad",
        sentence_key("Rain later."): "programme",
    }
    by_second, by_first, read, kappa = second_reading(picks, first, flipped)
    assert (by_second, by_first, read) == (2, 2, 4)
    assert kappa < 0
    assert second_reading(picks, first, {})[2] == 0
