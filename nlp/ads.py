"""Advertising and promos: sponsor copy that sells something rather than reports something.

"ZipRecruiter makes finding quality people a breeze", "Save 10% when you buy one pallet or
more", "Call my friends at Equity Protect", "Relief Factor is a 100% drug-free daily
supplement". Stations air the same spots all day, so, like station idents, they sit close
to the middle of a clip and a summary chosen by salience picks them (issue 17: a fifth of
the picks of WavePulse radio summaries were breaks, ads or empty after station breaks were
left out).

The cues are surface patterns of ad copy that news and talk rarely use: prices and offers
("save up to", "buy one, get one", "0% APR", "promo code"), calls to action at the start
of a sentence ("Shop Macy's…", "Visit…", "Stop by…"), a business pitching itself ("we
offer", "family-owned", "for over 30 years", "licensed and insured", "peace of mind"),
phone numbers, web addresses spoken out ("dot com") and sponsor credits. They were written
by reading the training half of the WavePulse transcripts (the 1st, 3rd, 5th … file by
name); `benchmarks/radio_summaries.py` measures on the other half. Ad copy without any of
these still goes when it sits in a block of flagged sentences and carries the vocabulary of
selling (`sounds_like_selling`, used by `nlp.station_breaks.station_break_flags`), or when it
names the business that a spot beside it sells (`names_the_sponsor`: "Archer Luxury Travel
does it all" next to "visit archerluxurytravel.com").
"""

from __future__ import annotations

import re

# Prices and offers, matched against the lower-cased sentence.
_OFFERS = re.compile(
    r"|".join(
        [
            r"\b(?:just|starting at|as low as|for under|for as little as) \$\d",
            r"\$\d[\d,]*(?:\.\d\d)? (?:a|per) (?:month|week|day)\b",
            r"\bper (?:\$?1,?000|thousand) (?:financed|borrowed)\b|\b\d+ months? lease\b",
            r"\bsave (?:up to |an extra |over \$?\d|big\b|hundreds|thousands|\$?\d)",
            r"\b(?:\d+|ten|fifteen|twenty|thirty|forty|fifty) (?:%|percent) off\b",
            r"\bbuy (?:one|two|\d)[\w ,]{0,40}\bget "
            r"(?:(?:one|another|\w+ \w+) )?(?:free|for free)\b",
            r"\bbuy more,? (?:and )?save\b",
            r"\b(?:0|zero) ?(?:%|percent) (?:apr|financing|interest)\b|\bspecial financing\b",
            r"\bno (?:money|payments?|interest) (?:down|for \w+ (?:months|years))\b",
            r"\bfinancing (?:available|options)\b|\bfinance (?:options|approval)\b",
            r"\b(?:promo|offer|coupon|discount) code\b|\buse (?:the )?code\b",
            r"\bfree (?:trial|gift|estimates?|inspections?|consultations?|quotes?|shipping|"
            r"delivery|installation|checking|samples?|newsletter|report|guide|"
            r"qualification|assessment|evaluation|analysis)\b",
            r"\bmoney-back\b|\bmoney back guarantee\b|\brisk-free\b|\bsatisfaction guaranteed\b",
            r"\blimited[- ]time\b|\bact now\b|\bwhile (?:they|supplies) last\b",
            r"\b(?:this|one) (?:weekend|week|day) only\b|\b(?:sale|offer|deal|event) ends\b",
            r"\b(?:biggest|best|annual) (?:sale|savings event|deals) of the (?:year|season)\b",
            r"\b(?:lowest|best|unbeatable) (?:prices?|deals|warranties|selection|rates)\b",
            r"\bprice (?:match|guarantee)\b|\bno hidden fees\b|\bno obligation\b",
            r"\b(?:most aggressive|best) offer\b|\bfor the fairest offer\b",
            r"\bsavings (?:are yours|event)\b|\bexclusive (?:offer|deal|savings)\b",
            r"\b(?:results may vary|side effects (?:may )?include|talk to your doctor)\b",
            r"\b(?:drug-free|all-natural|clinically (?:proven|shown|tested)|"
            r"doctor-(?:formulated|recommended))\b|\b100 ?(?:%|percent) (?:natural|guaranteed)\b",
            r"\bmention (?:this|the) (?:ad|offer|show)\b|\bask for \w+ by name\b",
            r"\bavailable (?:at|in) (?:participating|select) \w+|\bat participating\b",
            r"\bwherever \w+ (?:is|are) sold\b|\bavailable (?:now )?in stores\b",
        ]
    )
)
# Calls to action: an imperative that opens the sentence ("Shop…", "Call…", "Stop by…").
_ACTION = re.compile(
    r"^(?:so |and |plus |then |just |now,? |today,? |remember,? |again,? )?"
    r"(?:call|visit|shop|order|schedule|book|apply|subscribe|register|enroll|donate"
    r"|stop (?:by|in)|come (?:in|on in|on down|by|see|visit)|sign up|text \w+ to"
    r"|ask (?:about|for)|download|head (?:on )?(?:over|down|out) to|check (?:us|them) out"
    r"|get (?:yours|started|your free|a free|in touch|a quote)|find (?:out more|us)"
    r"|learn more|don't (?:wait|delay|miss out)|hurry|discover|experience the"
    r"|go (?:online )?to \w+(?:\.| dot )(?:com|org|net)|try (?:it|\w+) (?:today|now|free|risk)"
    r"|see (?:why|how|what) \w+ can|get ready (?:to|for)"
    r"|to (?:rsvp|register|enroll|donate|apply|order|sign up|get started|learn more|book"
    r"|schedule|find out more)\b(?=,))\b"
)
# A business talking about itself.
_PITCH = re.compile(
    r"|".join(
        [
            r"\bwe (?:offer|provide|specialize|carry|install|service|repair|"
            r"guarantee|deliver|accept|finance)\b",
            r"\bwe(?:'ve| have) been (?:serving|helping|proudly)\b",
            r"\b(?:family|locally)-owned\b|\b(?:family|locally) owned (?:and|business|company)\b",
            r"\bowned and operated\b",
            r"\blicensed (?:and|&) insured\b|\bbonded and insured\b",
            r"\bserving (?:the )?[\w ]{1,30} (?:area|community|communities|region|valley) "
            r"(?:since|for)\b",
            r"\bfor (?:over|more than) (?:\d+|twenty|thirty|forty|fifty) years\b.*\b(?:we|our)\b",
            r"\b(?:your|our) (?:trusted|friendly|certified|experienced) "
            r"(?:experts?|professionals|team|technicians|agents?)\b",
            r"\bpeace of mind\b|\bin the industry\b|\bone[- ]stop[- ]shop\b",
            r"\bis (?:your|the) (?:place|destination|source|home) for\b",
            r"\b(?:conveniently located|locations (?:in|across|throughout|near))\b",
            r"\bopen (?:seven|7) days\b|\b(?:monday|mon) (?:through|thru|to) (?:friday|saturday)\b",
            r"\b(?:make|schedule|book) (?:an|your) (?:appointment|consultation|visit)\b",
            r"\b(?:same|next)[- ]day (?:service|delivery|appointments?|installation)\b",
            r"\b(?:showroom|dealership|test drive|trade-in)\b",
            r"\b(?:proud|official) (?:sponsor|partner) of\b",
            r"\bour (?:customers|clients|patients|showroom|inventory|products)\b",
            r"\bmakes? (?:\w+ ){0,4}a breeze\b|\bmade (?:easy|simple|affordable)\b",
            r"\b(?:this is|that's) (?:our|my) promise to you\b",
            r"\bfor (?:nearly|almost|over|more than) (?:\d+|\w+ty) years,? [\w' ]{1,30} "
            r"(?:has|have) (?:helped|served|been)\b",
            r"\bi'm [\w.' ]{3,30}, (?:a|an|your) (?:local )?(?:financial advis[eo]r|agent|realtor|"
            r"broker|attorney|lawyer)\b",
            r"\ba vote for [\w. ]{2,30} is a vote (?:for|to)\b",
            r"\bthe only candidate (?:endorsed|who)\b|\bendorsed by [\w ]{2,40} and by\b",
            r"\bhelp (?:you|her|him|them|your business) (?:hire|find|save|get)\b",
            r"\b(?:know|see|find out) how easy it (?:is|can be) to\b",
            r"\bsatisfied (?:customers|homeowners|clients|patients)\b",
            r"\bis here (?:for you|to help)\b",
            r"\bi've been (?:a|their) (?:customer|client|patient) (?:at|of|with|for)\b",
            r"\ba message from (?:the )?[A-Za-z]",
        ]
    )
)
# Spoken web addresses and phone numbers the digits-only patterns miss.
_SPOKEN_CONTACT = re.compile(
    r"\b\w+ dot (?:com|org|net|us|gov)\b|\b1-8\d\d\b|\b(?:eight|8) hundred[- ]\d"
    r"|\b\d{3}[ .]\d{3}[ .]\d{4}\b|\btext (?:the word )?\w+ to \d"
)
# The vocabulary of selling: enough of it, next to ad copy, makes a sentence part of the ad.
_SELLING = re.compile(
    r"\b(?:deals?|offers?|sale|saves?|savings|discounts?|prices?|pricing|financing|warranty"
    r"|warranties|guarantee[ds]?|appointment|customers?|quality|service|experts?"
    r"|professionals?|trusted|selection|inventory|products?|brands?|locations?|stores?"
    r"|shop|order|delivery|install(?:ation)?|affordable|free|best|award-winning|family"
    r"|local|locally|call|visit|today|exclusive|premium|protect|protection|solutions?"
    r"|experience|comfort|easy|guaranteed|insurance|coverage|rates?|plan|plans)\b"
)
_YOU = re.compile(r"\b(?:you|your|you're|yours)\b")
# Political ads' legal tag lines and podcast promos.
_TAGS = re.compile(
    r"\bi approve (?:of )?this message\b|\bapproved this message\b"
    r"|\b(?:podcast|app|show|episodes?) by searching\b"
    r"|\bsearch(?:ing)? (?:for )?[\w' ]{2,40} (?:wherever you|on (?:apple|spotify|youtube))\b"
    r"|\bwherever you (?:get|find|listen to) (?:your )?podcasts\b"
)
# A name as ad copy says it: consecutive capitalised words ("Archer Luxury Travel").
_NAME = re.compile(r"[A-Z][\w&'.-]*(?: (?:[A-Z][\w&'.-]*|of|and|&)){0,4}(?<![ ,])")
# Endings of the web addresses that ads read out (`nlp.station_breaks` adds a few of its own).
WEB_ENDINGS = (
    "com", "org", "net", "us", "fm", "tv", "info", "biz", "io", "edu", "events", "shop", "store",
    "app", "online",
)  # fmt: skip
_DOMAIN = re.compile(
    rf"\b(?:www\.)?([\w-]{{3,}})(?:\.| dot )(?:{'|'.join(WEB_ENDINGS)})\b",
    re.I,
)
_NOT_NAMES = frozenset(
    "the a an and but so or if in on at of for to from with by this that these those it "  # noqa: SIM905
    "its it's i i'm we you he she they my our your his her their there here now then when "
    "mr mrs ms dr st".split()
)
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "  # noqa: SIM905
    "may june july august september october november december".split()
)
SELLING_WORDS = 2  # distinct selling words, plus addressing the listener, make ad copy


def ad_cues(text: str) -> list[str]:
    """What makes a sentence sound like an advertisement or promo: the kinds of cue it
    carries (empty for news and talk)."""
    lowered = text.lower().replace("’", "'")
    cues = []
    if _OFFERS.search(lowered):
        cues.append("offer")
    if _ACTION.search(lowered.lstrip("\"'“ ")):
        cues.append("call to action")
    if _PITCH.search(lowered):
        cues.append("sales pitch")
    if _SPOKEN_CONTACT.search(lowered):
        cues.append("contact")
    if _TAGS.search(lowered):
        cues.append("tag line")
    return cues


def is_advertisement(text: str) -> bool:
    """Whether a sentence is ad or promo copy by its own cues."""
    return bool(ad_cues(text))


def sounds_like_selling(text: str) -> bool:
    """Whether a sentence with no cue of its own reads like ad copy: it addresses the
    listener and uses at least `SELLING_WORDS` different words of selling ("Woodhead Bank
    has your back with free checking"). Alone that is too weak (a host tells listeners the
    best way to call in); next to flagged sentences it marks the rest of the spot."""
    lowered = text.lower().replace("’", "'")
    return bool(_YOU.search(lowered)) and len(set(_SELLING.findall(lowered))) >= SELLING_WORDS


# Names news shares with ads without being anyone's sponsor: places, offices, newsrooms.
_PUBLIC_NAME = re.compile(
    r"\b(?:united states|america|american|county|city|state|states|district|news|president"
    r"|senator|governor|congress|congressman|mayor|house|court|department|university)\b"
)


def names(text: str) -> set[str]:
    """The names a sentence says, lower-cased: runs of capitalised words, less a leading
    function word ("At Archer Luxury Travel" gives "archer luxury travel"). A lone
    capitalised word opening the sentence is no name (every sentence starts with one)."""
    out = set()
    for match in _NAME.finditer(text.replace("’", "'")):
        words = match.group().split()
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        while words and words[-1].lower() in ("of", "and", "&"):
            words = words[:-1]
        if not words or (match.start() == 0 and len(words) == 1 and match.group() == words[0]):
            continue
        name = " ".join(w.rstrip(".").removesuffix("'s") for w in words).lower()
        if len(name.replace(" ", "")) >= 4 and name not in _CALENDAR:
            out.add(name)
    return out


def domains(text: str) -> set[str]:
    """The names of the web addresses a sentence gives ("collinsbrothers" for
    "collinsbrothers.com" or "collinsbrothers dot com")."""
    return {d.lower().replace("-", "") for d in _DOMAIN.findall(text) if d.lower() != "www"}


def names_the_sponsor(text: str, spot: str) -> bool:
    """Whether a sentence names the business an ad sentence beside it sells (`spot`: a
    sentence with an ad cue, a web address or a phone number): a name of two words or more
    that the spot says too ("Archer Luxury Travel does it all" beside "Archer Luxury
    Travel is family owned and operated"), or a name of two words or more that its web
    address spells ("Collins Brothers" beside "collinsbrothersfloorcovering.com"; a name of
    one word only where it is the whole address, as "Easterseals" is "easterseals.com"). The
    same spot's uncued lines go with it; news beside an ad rarely shares its sponsor."""
    said = {n for n in names(text) if not _PUBLIC_NAME.search(n)}
    if not said:
        return False
    spot_names = names(spot)
    if any(" " in n and n in spot_names for n in said):
        return True
    addresses = domains(spot)
    for name in said:
        squashed = name.replace(" ", "").replace("'", "").replace(".", "")
        for address in addresses:
            if squashed == address or (
                " " in name
                and min(len(squashed), len(address)) >= 6
                and (squashed in address or address in squashed)
            ):
                return True
    return False
