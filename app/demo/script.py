"""What the demo stream says and what its chat says, on one timeline (seconds).

A digital-painting livestream: the streamer talks through a Photoshop piece while the chat
reacts, asks questions, and a few viewers break the channel's norms (an insult, spam, an
advertisement) so moderation shows up within the first minute.
"""

from __future__ import annotations

TITLE = "Painting a mountain lake in Photoshop — chill art stream"
CATEGORY = "Art"
CHANNEL = "demo_artist"

MONOLOGUE = [
    "Hello everyone, and welcome back to the stream. Today we are painting a mountain lake "
    "at sunrise in Photoshop.",
    "I already blocked in the big shapes. The sky is warm orange, and the mountains are a "
    "cool purple, so the light feels like early morning.",
    "Now I will make a new layer for the water, and use the Gradient Tool from dark blue at "
    "the bottom to a lighter blue near the shore.",
    "To keep the reflection soft, I add a layer mask and paint it with a soft round brush at "
    "low opacity.",
    "Someone asked how I pick colors. I use the Eyedropper Tool on the sky, then shift the "
    "hue a little, so everything stays in the same family.",
    "Next, the pine trees. I use the Lasso Tool to select a rough shape and fill it, then "
    "add texture with a custom brush.",
    "For the final glow I add a Curves adjustment layer and lift the highlights. That is "
    "the secret of the sunrise look.",
    "Thank you all for hanging out. Next week we paint a city at night in Krita.",
]

# (seconds into the stream, user, message); a user of "*timeout*" times out the named user.
CHAT = [
    (2.0, "pixelpaula", "hi everyone! first time catching this live"),
    (4.0, "brushbob", "hello! love the sky colors"),
    (6.5, "mossy_mike", "what brush is that?"),
    (9.0, "lakeside_lu", "the purple mountains look amazing"),
    (11.0, "pixelpaula", "so calm, perfect sunday stream"),
    (13.5, "newbie_nat", "how do you do the gradient on the water?"),
    (16.0, "brushbob", "gradient tool for water is a great tip"),
    (18.0, "trollface99", "this art is garbage and you are a talentless idiot"),
    (19.5, "*timeout*", "trollface99"),
    (21.0, "lakeside_lu", "ignore them, it looks great"),
    (23.0, "mossy_mike", "layer masks changed my life"),
    (25.0, "cheapviews_bot", "Want more viewers? Buy followers at cheap-viewers dot com"),
    (26.0, "cheapviews_bot", "Want more viewers? Buy followers at cheap-viewers dot com"),
    (27.0, "*timeout*", "cheapviews_bot"),
    (29.0, "newbie_nat", "thanks, trying this tonight"),
    (31.0, "pixelpaula", "the eyedropper trick is so smart"),
    (33.0, "hypehank", "LETS GO LETS GO LETS GO LETS GO LETS GO LETS GO"),
    (33.5, "hypehank", "LETS GO LETS GO LETS GO LETS GO LETS GO LETS GO"),
    (34.0, "hypehank", "LETS GO LETS GO LETS GO LETS GO LETS GO LETS GO"),
    (36.0, "brushbob", "the trees are coming out so well"),
    (38.0, "lakeside_lu", "lasso plus fill is such a fast way to block in"),
    (40.0, "mossy_mike", "PogChamp"),
    (40.5, "pixelpaula", "PogChamp"),
    (41.0, "newbie_nat", "PogChamp"),
    (41.5, "lakeside_lu", "PogChamp"),
    (42.0, "brushbob", "PogChamp that glow"),
    (44.0, "quiet_quinn", "what settings for the curves layer?"),
    (47.0, "mossy_mike", "sunrise secret unlocked"),
    (50.0, "pixelpaula", "thank you, see you next week!"),
    (52.0, "brushbob", "krita next week, nice"),
]

# What moderation must make of this chat, as a channel moderator would: each message that breaks
# the channel's norms, by (seconds, user), with the categories it may be filed under and, for
# harassment (HIB), whom it targets. Every other message is ordinary chat and must not be
# flagged, except the judgement calls in EITHER_VERDICT.
EXPECTED_FLAGS: dict[tuple[float, str], tuple[frozenset[str], str | None]] = {
    (18.0, "trollface99"): (frozenset({"HIB"}), "Broadcaster"),  # insults the streamer
    (25.0, "cheapviews_bot"): (frozenset({"Advertisements"}), None),
    (26.0, "cheapviews_bot"): (frozenset({"Advertisements", "Excessive & Repetitive"}), None),
    (34.0, "hypehank"): (frozenset({"Excessive & Repetitive"}), None),  # third time in a row
}
# Hype in capitals, said once and twice: not yet spam, though a strict moderator might say so.
EITHER_VERDICT = {(33.0, "hypehank"), (33.5, "hypehank")}
