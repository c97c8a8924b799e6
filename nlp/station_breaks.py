"""Station breaks: what a broadcaster says about itself rather than about the world.

Station idents ("You're listening to News Talk 98.7 WRGA"), promos ("Sean Hannity coming up
at 3 p.m."), sponsor copy ("brought to you by Andale Ready Mix", "visit briarcreekgolf.com"),
reporters' sign-offs ("Perry Russom, ABC News, Washington") and time checks ("4-23 here at
News Radio Pensacola"). Stations repeat them all day, so they sit close to the middle of
whatever a clip is about, and a summary chosen by salience fills up with them: before this
filter, about half of the picks of a WavePulse radio summary were station breaks.

The cues are surface patterns, because that is what breaks share across stations: call
signs, dial positions, web addresses, phone numbers and a broadcaster's stock phrases. A
sentence is a break when it carries a cue; the cost of a miss is one weaker summary line,
and the cost of a false alarm is one news sentence left out of a summary (it stays in the
transcript and in search).

Advertising and promos are found the same way (`nlp.ads`: prices and offers, calls to
action, a business's pitch) and count as breaks everywhere a break is left out or greyed.
"""

from __future__ import annotations

import json
import logging
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from nlp.ads import WEB_ENDINGS, ad_cues, names_the_sponsor, sounds_like_selling
from nlp.types import split_sentences

log = logging.getLogger(__name__)
EMBEDDING_SIZE = 384  # all-MiniLM-L6-v2, the summarizer's sentence vectors
HEAD_PATH = (
    Path(__file__).resolve().parent.parent / "resources" / "models" / "station_breaks_head.json"
)

# A US call sign (KAWC, WFMD, WIC-WTV), not a word that happens to be in capitals.
_CALL_SIGN = re.compile(r"\b[KW][A-Z]{2,3}(?:-(?:[A-Z]{2,3}|FM|AM|TV))?\b")
_NOT_CALL_SIGNS = frozenset(
    {"WHO", "WHAT", "WHY", "WOW", "WAS", "WAY", "WAR", "WEB", "WADA", "WTO", "WWE", "WWF"}
    | {"WWII", "WNBA", "WASP", "WIFI", "KFC", "KGB", "KKK", "KISS", "KILL"}
)
# A dial position: "88.9 FM", "AM 1470", "Talk 95.3", "1020KVNT".
_DIAL = re.compile(
    r"\b(?:\d{2,4}(?:\.\d)?\s*(?:FM|AM)\b|(?:FM|AM)\s*\d{2,4}\b|\d{2,3}\.\d\s+(?:FM\b|[KW][A-Z]{2,3}\b))"
)
_TLD = f"(?:{'|'.join((*WEB_ENDINGS, 'gov', 'radio', 'news'))})"
_WEB = re.compile(rf"\b[\w-]+\.{_TLD}\b|\bdot com\b", re.IGNORECASE)
_PHONE = re.compile(r"\b(?:1-)?(?:\d{3}-)?\d{3}-(?:\d{4}|[A-Z]{4})\b|\b8[0-9]{2}-[A-Z]{3,}")
# Stock phrases, in any case: matched against the lower-cased text (faster than IGNORECASE).
_PHRASES = re.compile(
    r"|".join(
        [
            r"\bbrought to you\b",
            r"\b(?:sponsored|presented|underwritten) by\b",
            r"\b(?:message|segment|forecast|report|program) is (?:provided|made possible)\b",
            r"\bis a service of\b",
            r"\b(?:you're|you are|you've been|you were) (?:listening|tuned)\b",
            r"\bstay (?:tuned|with us)\b",
            r"\bwhen we come back\b",
            r"\bwe'll be (?:right )?back\b",
            r"\bcoming up (?:at|after|next|in (?:about )?\w+ minutes)\b",
            r"\bup next\b",
            r"\b(?:is|are|begins|starts|continues|news) next\b",
            r"\bon the (?:fives|tens|5s|10s|\d\ds)\b",
            r"\btraffic and weather\b|\btime,? temp\b",
            r"\bafter the break\b",
            r"\bcoming your way\b",
            r"\bequal opportunity employer\b",
            r"\bviews (?:and|or) opinions expressed\b",
            r"\bmember-supported\b",
            r"\bmake (?:your|a) (?:donation|gift|pledge)\b",
            r"\b(?:give us|give me|call us) a call\b",
            r"\bcall (?:now|today)\b",
            r"\b(?:now's|now is|this is a great) the time to\b",
            r"\bgreat time to (?:buy|sell|call|visit)\b",
            r"\bdownload (?:the|our)\b.*\bapp\b",
            r"\blisten (?:to|on)\b.*\b(?:anywhere|anytime|app|podcast)\b",
            r"\b(?:weekdays|weeknights|weekday mornings|sundays|saturdays) (?:at|from)\b",
            r"\b(?:after|past) (?:the|each) hour\b",
            r"\band much more\b",
            r"\btop of the hour\b",
            r"\b(?:traffic|weather|news) (?:center|centre|update)\b",
            r"\b(?:morning|afternoon|evening|top) headlines\b",
            r"\bnewsroom\b",
            r"\bhere's your\b.*\b(?:forecast|update|headlines|traffic|news)\b",
            r"\bwith your\b.*\b(?:forecast|update|headlines|traffic)\b",
            r"\bi'm (?:\w+ )?meteorologist\b",
            r"\b(?:highs?|lows?) (?:near|around|in the) (?:\d|upper|lower|mid)",
            r"\bdaytime high\b",
            r"\b\d+ degrees (?:in|at|and|right now)\b",
            r"\bshowers and (?:thunder)?storms\b",
            r"\b(?:north|south|east|west)bound (?:on )?(?:i-? ?\d|us \d|\d|(?:highway|route) \d)",
            r"\bwhile supplies last\b",
            r"\bnmls\b|\bmember fdic\b|\bequal housing (?:lender|opportunity)\b",
            r"\b(?:terms|restrictions|conditions|fees) (?:may )?apply\b|\bmessage and data rates\b",
            r"\bsee (?:store|dealer|sales associate|website|\w+\.com) for details\b",
            r"\bnot available in (?:all|every) states?\b",
            r"\bwhen you shop\b|\bshop (?:now|today|online)\b",
            r"\bsave (?:up to|\$\d)|\blimited time\b",
            r"\bhere to (?:help|serve) you\b|\bwe're here to serve\b|\bthat's why you need\b",
            r"\bpaid for by\b|^(?:re-?elect|vote for)\b|\basking (?:you to vote|for your vote)\b",
            r"(?:\$\d[\d,]*|\b\d+ percent|\b\d+%) off\b",
            r"\bfree (?:estimate|consultation|quote)s?\b",
            r"\bbroadcasting (?:live )?(?:from|on location)\b",
            r"^reporting (?:live )?(?:in|from)\b",
            r"^(?:it is |it's )?\d{1,2}[-:.]?\d{2} (?:here|and|on)\b",
        ]
    ),
)
# Newsroom routines found reading summaries for issue 17: teasers, traffic, event listings.
_ROUTINES = re.compile(
    r"|".join(
        [
            r"\b(?:quick |another )?check (?:of|on) (?:the |some |your )?"
            r"(?:roads|traffic|weather|sports|construction|commute)\b",
            r"\b(?:travel+ing|heading|headed) (?:north|south|east|west)bound\b",
            r"\bfeel(?:s|ing)? like (?:triple digits|\d+ degrees|the (?:upper|mid|lower|low|high))",
            r"^(?:hey,? |and )?this is [\w' ]{2,30} (?:morning|afternoon|evening) news\.?$",
            r"\brecapping (?:our|the) top\b|\btop (?:three|five|\d) stories\b",
            r"\bfrom the news ?desk\b",
            r"\btop stories (?:in|every|at|on)\b|\bwhen [\w' ]{2,40} (?:continues|returns)\b",
            r"\b(?:pub|tavern|bar|grill|club|lounge|brewery|theat(?:er|re)),? [\w, ]{0,40}"
            r"\bat \d{1,2}(?:[:.]\d\d)?\.?$",
            r"\bcoming (?:up )?(?:before|after|at) \d+ o'clock\b",
            r"\bcoming up (?:in )?the next hour\b",
            r"\bthe ride in\b|\btravel advisory\b|\b(?:past|by) the [\w ]{2,30} freeway\b",
            r"\bcoming up (?:here|right here|right) (?:at|after|next)\b",
            r"\bi'm your (?:host|co-host)\b|\byour host(?:s)? (?:for|of) (?:the|this)\b",
            r"\b(?:our|the|this) (?:next|final) segment\b|\brunning out of time\b"
            r"|\bon the other side of (?:the|this) break\b"
            r"|\b(?:pick (?:it|things|that) up|be (?:right )?back|break (?:that|it) down) "
            r"on the other side\b|\bafter (?:this|these) (?:messages?|words?|break)\b"
            r"|\b(?:we're|we are|we'll|we will|let's|let us) (?:going to |gonna )?(?:take|taking) "
            r"a (?:quick |short |little )?break\b",
            # Forecasts read without a formula: chances of rain, heat index, tides, sky cover,
            # temperatures by decade ("low 90s") where the sentence speaks of the weather.
            r"\b(?:\d+|\w+ty)(?: ?%| percent) chances? (?:of|for) (?:rain|showers?|storms?"
            r"|thunderstorms?|snow)\b|\b(?:rain|storm|shower|thunderstorm) chances?\b",
            r"\bheat index (?:values? )?(?:\w+ ){0,3}\d|\bhighs? (?:of|today of|will be) "
            r"(?:\d|near|around)|\bhigh temperatures? (?:today|tomorrow|this afternoon|in the)\b",
            r"\bon (?:the|our) (?:radar|doppler)\b|\bradar is\b|\b(?:high|low) tide\b"
            r"|\bcurrently \d+ (?:degrees|with)\b|\bcloud cover\b|\b(?:partly|mostly) "
            r"(?:cloudy|sunny)\b|\bmostly clear\b(?! that| whether| what| how| why| to)",
            r"^(?=.*\b(?:temperatures?|degrees|today|tonight|tomorrow|sunny|cloudy|humid|overnight"
            r"|afternoon|weekend|highs|lows|forecast|monday|tuesday|wednesday|thursday|friday"
            r"|saturday|sunday)\b).*\b(?:upper|lower|mid|low|high)[- ](?:\d0s|teens|twenties"
            r"|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
            # Traffic reads: congestion, exits, lanes blocked, backed up to a junction.
            r"\bcongestion\b(?! pricing| charge)|\bslowdowns\b|\bstop-and-go\b|\bjam cam\b"
            r"|\bexit \d+\b|\bbacked up (?:on|to|from|at)\b|\b(?:heavy|morning|evening) backup\b"
            r"|\blanes? (?:is |are )?(?:blocked|closed|knocked out)\b",
        ]
    ),
)
_PERSON = r"[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)+"
# Hand-offs between presenters, where capitals matter ("Here are Ann Lee and Tom Ray.").
_HANDOFFS = re.compile(
    rf"^(?:And )?[Hh]ere(?:'s| is| are) {_PERSON}(?:,? and {_PERSON})?\.?$"
    rf"|\bas we go (?:over )?to {_PERSON}"
    rf"|\bI'm {_PERSON},? (?:[A-Z][\w']+ )+(?:News|Sports|Radio|Network)\.?$"
    rf"|^This is [A-Z][\w.]+'s {_PERSON}\b"
)
_NETWORK = r"(?:ABC|CBS|NBC|NPR|Fox|CNN|AP|Salem|SRN|Bloomberg|Townhall)(?: \w+)? News"
# Names and sign-offs, where capitals matter.
_NAMES = re.compile(
    r"|".join(
        [
            r"\bhere on (?:the )?[A-Z0-9]",
            r"\b(?:listening|tuned|tuned in) to [A-Z]",
            r"\b(?:News|Talk|Sports|Public) ?Radio\b",
            r"\b(?:Radio|Podcast|Sports) Network\b",
            r"\b(?:Talk|News|Radio) \d{2,4}(?:\.\d)?\b",
            r"\b[Ff]rom (?:NPR|Fox|ABC|CBS|NBC|CNN) News\b",
            r"\bfor [A-Z][A-Za-z0-9 ]{1,30} News,? I(?:'m| am)\b",
            r"\bthis is [A-Z][\w.'& ]{0,40} News\.?$",
            r"^(?:This is|It's) (?:the )?[A-Z][\w.' ]{0,40} Show\.?$",
            r"^This is [A-Z]\w+ [A-Z]\w+ (?:at|in|for|with|reporting)\b",
            rf"^(?:I'm )?{_PERSON},? {_NETWORK}\.?$",
            rf"^{_NETWORK},? I'm [A-Z]",
            r"^[A-Z][\w.'-]+ [A-Z][\w.'-]+,? here,? (?:reminding|with)\b",
            rf"\b{_NETWORK}, [A-Z][\w. ]+\.?$",
        ]
    )
)


def call_signs(text: str) -> list[str]:
    """The call signs a text names ("KAWC", "WIC-WTV")."""
    return [c for c in _CALL_SIGN.findall(text) if c not in _NOT_CALL_SIGNS]


def station_break_cues(text: str) -> list[str]:
    """What makes a sentence sound like a station break: the kinds of cue it carries
    (empty for a sentence about the world)."""
    cues = []
    if call_signs(text):
        cues.append("call sign")
    if _DIAL.search(text):
        cues.append("dial position")
    if _WEB.search(text):
        cues.append("web address")
    if _PHONE.search(text):
        cues.append("phone number")
    lowered = text.lower()
    if (
        _PHRASES.search(lowered)
        or _ROUTINES.search(lowered)
        or _NAMES.search(text)
        or _HANDOFFS.search(text)
    ):
        cues.append("stock phrase")
    return cues + ad_cues(text)


def is_station_break(text: str) -> bool:
    """Whether a sentence is a station ident, promo, sponsor line, sign-off, time check or
    advertisement."""
    return bool(station_break_cues(text))


def only_station_breaks(text: str) -> bool:
    """Whether every sentence of a text (a transcript segment) is a station break: what the
    transcript greys out and can hide."""
    sentences = split_sentences(text)
    return bool(sentences) and all(is_station_break(s) for s in sentences)


BLOCK_GAP_S = 20.0  # a break block's pieces follow each other within this
SPOT_S = 45.0  # an ad names its sponsor within this of its address, phone number or offer
SPOT_ITEMS = 12  # … and within this many texts
BLOCK_ROUNDS = 3  # how far a block's flags spread from its cued sentences
POD_SPAN_S = 30.0  # two flagged texts this close, one of them ad copy, flag all between


def station_break_flags(items: Sequence[tuple[float, float, str]]) -> list[bool]:
    """For timed texts in order (segments or sentences), which are station breaks: those
    whose every sentence has a cue, and those sitting between two flagged ones within
    `BLOCK_GAP_S` — breaks come in blocks, so the uncued middle of one ("It's Mattress
    Firm's best sale of the year" between "Traffic brought to you by Mattress Firm" and a
    sale's small print) is part of it. On the WavePulse training half, 44 of 50 sentences
    the block rule adds were breaks (sponsor copy, promos, traffic), 3 were news.
    A text that reads like ad copy (`nlp.ads.sounds_like_selling`) next to a flagged one
    within `BLOCK_GAP_S` is part of the spot too, and so is one that names the sponsor of
    an ad sentence within `SPOT_S` (`nlp.ads.names_the_sponsor`: "Archer Luxury Travel does
    it all" before "Call … or visit archerluxurytravel.com"). Flags spread this way for
    `BLOCK_ROUNDS` rounds, so a spot's uncued lines between its flagged ones go too."""
    cued = [only_station_breaks(text) for _s, _e, text in items]
    spots = [i for i, (_s, _e, text) in enumerate(items) if _is_spot(text)]
    flags = list(cued)
    named = [False] * len(items)
    for i in range(len(items)):
        if not flags[i]:
            flags[i] = named[i] = _names_a_nearby_sponsor(items, spots, i)
    for _round in range(BLOCK_ROUNDS):
        grown = list(flags)
        for i in range(len(items)):
            if flags[i]:
                continue
            start, end, text = items[i]
            before = any(
                flags[j] and start - items[j][1] <= BLOCK_GAP_S for j in (i - 1, i - 2) if j >= 0
            )
            after = any(
                flags[j] and items[j][0] - end <= BLOCK_GAP_S
                for j in (i + 1, i + 2)
                if j < len(items)
            )
            grown[i] = (before and after) or (_next_to_cued(flags, items, i) and _selling(text))
        if grown == flags:
            break
        flags = grown
    return _fill_ad_pods(items, flags, set(spots), named)


def _fill_ad_pods(
    items: Sequence[tuple[float, float, str]],
    flags: list[bool],
    spots: set[int],
    named: list[bool],
) -> list[bool]:
    """Flag every text between two flagged ones at most `POD_SPAN_S` apart, however many
    texts lie between, where one of the two is ad copy (a spot line, a line naming the
    sponsor, or selling words): a spot's uncued middle ("So do the math.", a testimonial)
    can run to four or five short sentences, more than the block rule reaches."""
    flagged = [i for i, f in enumerate(flags) if f]
    out = list(flags)
    for a, b in pairwise(flagged):
        if b - a < 2 or items[b][0] - items[a][1] > POD_SPAN_S:
            continue
        if any(j in spots or named[j] or _selling(items[j][2]) for j in (a, b)):
            for i in range(a + 1, b):
                out[i] = True
    return out


def _is_spot(text: str) -> bool:
    """Whether a text is ad copy that names what it sells: an ad cue, a web address or a
    phone number (not a call sign or a station's stock phrase, which news shares)."""
    return bool(ad_cues(text) or _WEB.search(text) or _PHONE.search(text))


def _names_a_nearby_sponsor(
    items: Sequence[tuple[float, float, str]], spots: Sequence[int], i: int
) -> bool:
    start, end, text = items[i]
    near = spots[bisect_left(spots, i - SPOT_ITEMS) : bisect_right(spots, i + SPOT_ITEMS)]
    return any(
        j != i
        and items[j][0] - end <= SPOT_S
        and start - items[j][1] <= SPOT_S
        and names_the_sponsor(text, items[j][2])
        for j in near
    )


def _next_to_cued(cued: list[bool], items: Sequence[tuple[float, float, str]], i: int) -> bool:
    """Whether the text just before or just after item `i` is cued, within `BLOCK_GAP_S`."""
    start, end, _text = items[i]
    return (i > 0 and cued[i - 1] and start - items[i - 1][1] <= BLOCK_GAP_S) or (
        i + 1 < len(items) and cued[i + 1] and items[i + 1][0] - end <= BLOCK_GAP_S
    )


def _selling(text: str) -> bool:
    sentences = split_sentences(text)
    return bool(sentences) and all(sounds_like_selling(s) for s in sentences)


def programme_texts(items: Sequence[tuple[float, float, str]]) -> list[str]:
    """Each timed text less its station breaks ("" for a text that is all break): what
    keywords and trends are drawn from."""
    return [
        "" if flagged else without_station_breaks(text)
        for flagged, (_s, _e, text) in zip(station_break_flags(items), items, strict=True)
    ]


def without_station_breaks(text: str) -> str:
    """The text less its sentences that are station breaks: what keywords and trends should
    be drawn from ("meineke car care" and a call sign say nothing about the programme)."""
    return " ".join(s for s in split_sentences(text) if not is_station_break(s))


@dataclass(frozen=True)
class BreakHead:
    """A linear head over the summarizer's sentence vectors that scores how much a sentence
    sounds like a station break, cue or no cue (`scripts/train_station_breaks.py`)."""

    weights: np.ndarray
    bias: float
    threshold: float

    def flags(self, vectors: np.ndarray) -> np.ndarray:
        """Which of these unit sentence vectors [n, 384] are station breaks."""
        if len(vectors) == 0:
            return np.zeros(0, dtype=bool)
        return vectors @ self.weights + self.bias > self.threshold


@lru_cache(maxsize=4)
def load_break_head(path: Path = HEAD_PATH) -> BreakHead | None:
    """The trained head, or None where its file is missing or unreadable (the cues still
    work alone; a damaged file is logged, never a reason for summaries to fail)."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        weights = np.asarray(data["weights"], dtype=np.float32)
        if weights.shape != (EMBEDDING_SIZE,):
            raise ValueError(f"{weights.shape[0] if weights.ndim else 0} weights")
        return BreakHead(weights, float(data["bias"]), float(data["threshold"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("Station-break head %s is unreadable (%s); using the cues alone", path, exc)
        return None
