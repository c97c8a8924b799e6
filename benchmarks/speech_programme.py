"""A ~5-minute synthetic radio programme: espeak-ng speech with music and noise stretches.

Generated at run time (nothing binary is committed). Returns the WAV and the spoken text.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures import speech

PARAGRAPHS = [
    "Good morning and welcome back to the morning show. It is a grey and windy day across the "
    "valley, and the roads are busy near the river bridge. We have a full programme for you, "
    "with news from the city council, a visit to the farmers market, and an interview with the "
    "head of the public library.",
    "First, the news. The city council met late last night to debate the new transport plan. "
    "The plan would add bus lanes on the main avenue and close the old car park near the "
    "station. Supporters say it will cut traffic and clean the air. Shop owners worry that "
    "fewer parking spaces will keep customers away from the town centre.",
    "The mayor told reporters that the council will hold a public meeting next month before the "
    "final vote. She asked residents to read the proposal and to send their questions by email. "
    "Opposition members want an independent study of the costs and the effect on local "
    "business.",
    "In other news, the regional hospital has opened a new children's ward. Doctors say the "
    "ward has brighter rooms, space for parents to stay overnight, and a small garden on the "
    "roof. The project was paid for by a charity that raised money from thousands of small "
    "donations over several years.",
    "Now to the weather. Expect strong winds this afternoon with heavy showers moving in from "
    "the west. The rain should clear by the evening, leaving a cold and starry night. Tomorrow "
    "will be dry and bright, although it will feel chilly in the wind.",
    "This week our reporter visited the farmers market in the old square. Growers there told us "
    "that the dry summer was hard on their crops, but the apples and pears have never tasted "
    "better. One farmer said that customers now ask where their food comes from and how it is "
    "grown.",
    "The market also has stalls selling fresh bread, local cheese, honey and flowers. Many "
    "families come every Saturday morning, and the musicians who play near the fountain have "
    "become a small attraction of their own.",
    "Later in the programme we will speak with the head of the public library about the new "
    "reading club for teenagers. The club meets every Thursday evening and has already "
    "attracted more members than anyone expected.",
    "Before that, a reminder that the museum will stay open late on Friday for a special "
    "evening of talks about the history of the harbour. Tickets are free, but visitors are "
    "asked to book a place on the museum website.",
    "Here is the head of the library. She told us that the building will get new windows and "
    "a lift this winter, so that everyone can reach the reading rooms upstairs. The works will "
    "start after the holidays and should be finished by the spring.",
    "The library also plans to lend more than books. Visitors will soon be able to borrow "
    "tools, board games and even musical instruments. She said the idea came from readers who "
    "wrote to the library with their own suggestions.",
    "Now to sport. The local football club won its match on Saturday after a late goal from "
    "its young striker. The coach praised the team for its patience and said the players will "
    "need the same spirit in the difficult games ahead.",
    "The swimming pool near the park will close for two weeks for repairs to the roof. Swimmers "
    "can use the pool at the sports centre in the meantime, where extra morning sessions have "
    "been added for the club members.",
    "A quick look at the traffic. There are long delays on the northern ring road because of "
    "roadworks near the hospital. Drivers heading to the airport should leave early and follow "
    "the signs for the diversion through the industrial estate.",
    "Thank you for all your messages this morning. Many of you wrote about the new bus lanes, "
    "and most of you seem to welcome the plan, although several listeners asked what will happen "
    "to the delivery vans that use the avenue every morning.",
    "That is all for this part of the show. Stay with us after the break for sport, traffic and "
    "your messages. Thank you for listening, and have a wonderful morning.",
]

MUSIC_EXPR = (
    "0.15*sin(2*PI*220*t)*(1+0.5*sin(2*PI*2*t))+0.12*sin(2*PI*277*t)+0.1*sin(2*PI*330*t)"
    "+0.08*sin(2*PI*440*t)*(0.5+0.5*sin(2*PI*0.5*t))"
)


def build(
    directory: Path, count: int | None = None, lead_s: float = 0.0, tail_s: float = 0.0
) -> tuple[Path, str]:
    """The programme's WAV and its spoken text: the first `count` paragraphs (all by
    default), after `lead_s` and before `tail_s` of silence. Built once per folder."""
    directory.mkdir(parents=True, exist_ok=True)
    chosen = PARAGRAPHS[:count]
    name = (
        "programme"
        if (count, lead_s, tail_s) == (None, 0.0, 0.0)
        else (f"programme_{len(chosen)}_{lead_s:.1f}_{tail_s:.1f}")
    )
    out = directory / f"{name}.wav"
    text = " ".join(chosen)
    if out.exists():
        return out, text
    parts: list[Path] = []
    if lead_s:
        parts.append(speech.silence(lead_s, directory / f"lead_{lead_s:.1f}.wav"))
    for i, paragraph in enumerate(chosen):
        parts.append(speech.speak(paragraph, directory / f"p{i}.wav", speed=160))
        if i % 3 == 1:
            music = f"aevalsrc={MUSIC_EXPR}:s=16000:d=6"
            parts.append(speech.lavfi(music, directory / f"m{i}.wav"))
        elif i % 3 == 2:
            noise = "anoisesrc=c=pink:r=16000:a=0.05:d=4"
            parts.append(speech.lavfi(noise, directory / f"n{i}.wav"))
        else:
            parts.append(speech.silence(1.5, directory / f"q{i}.wav"))
    if tail_s:
        parts.append(speech.silence(tail_s, directory / f"tail_{tail_s:.1f}.wav"))
    return speech.concat(parts, out), text
