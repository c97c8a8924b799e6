"""Station breaks (idents, promos, sponsor copy, sign-offs, time checks) are told from news,
and summaries leave them out. The sentences are written for these tests, in the style of
US talk radio."""

from __future__ import annotations

import pytest

from nlp.station_breaks import call_signs, is_station_break, station_break_cues
from nlp.summarize import Summarizer, Utterance, worth_summarizing

BREAKS = [
    "You're listening to Morning Talk on 101.5 FM and AM 1230 WXYZ.",
    "This half hour of news is brought to you by Harbor Street Hardware.",
    "Visit lakesidedental.com today to book your cleaning.",
    "Call our hotline at 555-201-3344 for a free estimate.",
    "When we come back, the mayor joins us in studio.",
    "Jane Porter coming up at noon right here on the Big Voice of the Valley.",
    "For KQRT News, I'm Dana Welch.",
    "Tom Reyes, CBS News, Chicago.",
    "It's 7-42 here at Newsradio Riverside.",
    "From the Midtown Ford Traffic Center, I'm Evelyn Park.",
    "Tonight, mostly clear with a low around 58.",
    "Member-supported public radio depends on listeners like you, so make your pledge now.",
    "Headlines at 20 and 50 past the hour.",
    "Traffic and weather on the tens, every day.",
    "Southbound I-75 is slow from the river bridge to exit 12.",
    "Save up to 30 percent at Lakeside Furniture, this weekend only.",
    "Paid for by Friends of Dana Welch.",
    "I'm Sam Hill, NBC News.",
    "This is the Morning Desk Show.",
    "Home loans from Ridgeview Lending, NMLS number 40112, equal housing lender.",
    "Offer ends Sunday; see dealer for details.",
    "Here are Dana Welch and Tom Reyes.",
    "With this business update, I'm Ann Lee, Metro Business Radio.",
    "This is Bloomberg's Ann Lee.",
    "Coming up here at 4:35, the superintendent joins us.",
    "I'm your host, Sam Hill.",
    "Drivers traveling westbound on Main Street should expect delays.",
    "We're running out of time in this hour, so we'll pick it up on the other side.",
    "We'll be right back for our final segment after these messages.",
    "Hey, on the other side of the break, the mayor joins us.",
    "Let's take a quick break.",
    "Details on the fall workshops are at lakesidecollege.edu.",
    "Tickets for the county fair are on sale at fairtickets.events.",
    "Jumping ahead to the weekend, we've got a 60% chance for rain on Saturday.",
    "It is currently 84 with a heat index of 97.",
    "Partly cloudy tonight, lows in the upper 60s.",
    "Temperatures today will reach the low 90s.",
    "The radar is quiet for now across the metro.",
    "High tide at Ocean Pier at 9.19.",
    "We have some congestion on I-10 traveling eastbound.",
    "Still backed up to the spur from exit 12.",
]

NEWS = [
    "The city council voted six to one to raise the transit budget by four percent.",
    "The WHO said the outbreak is contained after three weeks without a new case.",
    "Waves kept coming up on shore long after the storm had passed the island.",
    "Our reporter is here on the ground in Gaza with the families who stayed.",
    "The Orioles beat the Mets 4-3 in the bottom of the ninth.",
    "The 2024-2025 school budget adds forty teachers and two new buses.",
    "She said the high school will reopen on Monday after the flood repairs.",
    "The senator called the ruling a victory for voters in rural counties.",
    "Firefighters contained the blaze before it reached the grain elevator.",
    "Early voting begins Saturday and runs through the following week.",
    "The northbound lanes stayed closed while crews cleared the wreck.",
    "His re-election campaign raised a record sum last quarter.",
    "Shoppers saved less this year as prices kept rising.",
    "This is Trump's America now, he said.",
    "I'm Tom Smith, a Republican from Ohio, and I think the plan is wrong.",
    "Firefighters say a car heading north crossed into oncoming traffic.",
    "Troopers say the debris hit an SUV on the other side of the road.",
    "On the other side of the aisle, Democrats called the bill a giveaway.",
    "The strike means workers will take a break from the talks until Monday.",
    "His approval rating has been stuck in the low 40s since the debate.",
    "At idle the fuel trims were in the low 20s before I fixed the leak.",
    "The state is under a heat warning as temperatures soar.",
    "The city will start congestion pricing in Manhattan next year.",
    "Growth slowed as China's slowdown hit exports.",
]


@pytest.mark.parametrize("sentence", BREAKS)
def test_station_breaks_are_recognised(sentence):
    assert station_break_cues(sentence), sentence


@pytest.mark.parametrize("sentence", NEWS)
def test_news_is_not_a_station_break(sentence):
    assert not is_station_break(sentence), station_break_cues(sentence)


def test_call_signs_are_found_but_capitalised_words_are_not():
    assert call_signs("Stay with WKRN and KSL-TV tonight.") == ["WKRN", "KSL-TV"]
    assert call_signs("WHO and NATO met; WOW, KFC opened.") == []


def test_utterances_without_content_or_about_the_station_are_not_picked():
    def said(text):
        return worth_summarizing(Utterance(0, 1, text))

    assert not said("We want to do that, okay?")  # five words, nothing said
    assert not said("Stay with us, the news continues next.")
    assert said("The canvassing board certified the county ballots.")


def test_a_radio_clip_summary_is_the_news_not_the_station():
    # A clip where the station names itself over and over: those sentences sit right in the
    # middle of what the clip "is about", so salience alone would pick them.
    ident = "You're listening to News Talk 1450 WQRS, the voice of the lakes."
    stories = [
        "The county board approved the new water treatment plant on Tuesday night.",
        "Residents near the plant worry about truck traffic during construction.",
        "The plant will cost forty million dollars, paid by a state loan.",
        "The board chair said construction starts in the spring.",
    ]
    utterances = []
    for i in range(12):
        text = stories[i % 4] if i % 3 else ident
        utterances.append(Utterance(i * 20.0, i * 20.0 + 15, text))
    summary = Summarizer().summarize_clip(utterances, title="WQRS 2024-05-01")
    assert summary.picks
    assert all(not is_station_break(p.text) for p in summary.picks)
    assert {p.text for p in summary.picks} <= set(stories)


def test_the_trained_head_flags_sponsor_copy_without_a_cue_but_not_news():
    from nlp.embeddings import load_sentence_encoder
    from nlp.station_breaks import load_break_head

    head = load_break_head()
    assert head is not None, "resources/models/station_breaks_head.json is missing"
    sponsor = "Summer deals are waiting for you at Harbor Street Hardware."
    assert not is_station_break(sponsor)  # no cue: only the head can tell
    sentences = [sponsor, *NEWS[:4]]
    flags = head.flags(load_sentence_encoder().encode(sentences))
    assert flags.tolist() == [True, False, False, False, False]


def test_without_the_head_file_summaries_fall_back_to_the_cues(tmp_path):
    from nlp.station_breaks import load_break_head, without_station_breaks

    assert load_break_head(tmp_path / "missing.json") is None
    for damaged in ("{not json", '{"weights": [1, 2], "bias": 0, "threshold": 1}', "{}"):
        path = tmp_path / f"damaged{len(damaged)}.json"
        path.write_text(damaged)
        assert load_break_head(path) is None
    text = "The plant opens in May. Stay with us. Visit harborhardware.com today."
    assert without_station_breaks(text) == "The plant opens in May."


def test_the_uncued_middle_of_a_break_block_is_part_of_the_break():
    from nlp.station_breaks import programme_texts, station_break_flags

    timed = [
        (0.0, 5.0, "The council approved the budget on Tuesday night."),
        (5.0, 8.0, "Traffic is brought to you by Lakeside Mattress."),
        (8.0, 12.0, "It's the best sale of the year on every king size set."),
        (12.0, 15.0, "Visit lakesidemattress.com today."),
        (15.0, 20.0, "Crews reopened the bridge after the morning crash."),
        (60.0, 64.0, "Stay with us."),
        (64.0, 70.0, "The mayor will speak at noon about the water plant."),
        (200.0, 204.0, "When we come back, the weather."),
    ]
    assert station_break_flags(timed) == [False, True, True, True, False, True, False, True]
    said = programme_texts(timed)
    assert said[2] == "" and said[6] == timed[6][2]  # 136 s from the next break: not a block
