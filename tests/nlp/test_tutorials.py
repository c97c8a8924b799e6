"""Tutorial recommendation: ontology filter and boost, stickiness, catalog import safety."""

from __future__ import annotations

import json

import pytest

from nlp.tutorials import (
    CatalogError,
    Ontology,
    Recommender,
    StickyRecommender,
    load_catalog,
)

PHOTOSHOP_TALK = (
    "okay so in photoshop i'm going to make the sky pop, let me add a curves adjustment layer "
    "and then mask it with a soft brush so only the clouds change"
)


@pytest.fixture(scope="module")
def recommender():
    return Recommender(load_catalog())


def test_ontology_finds_software_and_tools():
    software, tools = Ontology.load().mentions(PHOTOSHOP_TALK)
    assert software == {"Photoshop"}
    assert {
        ("Photoshop", "Curves"),
        ("Photoshop", "Adjustment Layer"),
        ("Photoshop", "Brush Tool"),
    } <= tools


def test_a_photoshop_stream_is_not_sent_to_blender(recommender):
    # "mask", "brush" and "layer" also exist in Blender, Krita and GIMP tutorials.
    picks = recommender.recommend(PHOTOSHOP_TALK, k=10)
    assert picks and all(p.tutorial.software == "Photoshop" for p in picks)
    assert picks[0].tutorial.title in {"Curves adjustment", "Adjustment and fill layers"}
    assert "Curves" in picks[0].matched_tools
    without = Recommender(recommender.catalog, encoder=recommender.encoder, use_ontology=False)
    assert any(
        p.tutorial.software != "Photoshop"
        for p in without.recommend("mask with a soft brush on a new layer", k=10)
    )


def test_recommendations_stay_steady_across_similar_windows(recommender):
    sticky = StickyRecommender(recommender, k=3)
    first = [r.tutorial.title for r in sticky.update(PHOTOSHOP_TALK)]
    assert first[0] == "Curves adjustment"
    # Still the curves layer, now painted with a brush: judged alone, this window would lead
    # with another tutorial by a hair (the painting one)...
    similar = "in photoshop let me paint the clouds brighter with a soft brush on the curves layer"
    alone = [r.tutorial.title for r in recommender.recommend(similar, k=3)]
    assert alone[0] != first[0]
    # ...but after the first window the list keeps its lead instead of flipping.
    second = [r.tutorial.title for r in sticky.update(similar)]
    assert second[0] == first[0]
    # When the stream really moves on, the list follows it.
    moved_on = [
        r.tutorial.title for r in sticky.update("let me switch to the crop tool in photoshop")
    ]
    assert moved_on[0] == "Crop and straighten photos"


def test_malformed_catalogs_are_refused_in_words(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"title": "No link"}]')
    with pytest.raises(CatalogError, match="entry 1 needs a title and an http"):
        load_catalog(bad)
    bad.write_text("{not json")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(bad)
    good = tmp_path / "good.csv"
    good.write_text(
        "title,url,software,tools\n"
        "Dodge and burn,https://example.com/d,Photoshop,Dodge and Burn;Brush Tool\n"
    )
    [tutorial] = load_catalog(good)
    assert tutorial.tools == ("Dodge and Burn", "Brush Tool")


def test_cli_import_keeps_the_catalog_on_a_bad_file_and_recommends(run_cli, tmp_path):
    extra = tmp_path / "extra.json"
    extra.write_text(
        json.dumps(
            [
                {
                    "title": "Procreate lettering",
                    "url": "https://example.com/p",
                    "description": "hand lettering on the ipad",
                    "software": "Procreate",
                }
            ]
        )
    )
    assert run_cli("tutorials", "import", str(extra)).returncode == 0
    listed = run_cli("tutorials", "list").stdout
    assert "Procreate lettering" in listed
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "x", "url": "ftp://nope"}]')
    result = run_cli("tutorials", "import", str(broken))
    assert result.returncode == 1 and "was not changed" in result.stderr
    assert run_cli("tutorials", "list").stdout == listed
    rec = run_cli(
        "tutorials", "recommend", "hand lettering practice on the ipad tonight", "-k", "2"
    )
    assert rec.returncode == 0 and "Procreate lettering" in rec.stdout.splitlines()[0]


def test_cli_recommends_for_a_recording_and_only_for_creative_ones(run_cli, workdir):
    from tests.app.helpers import open_library

    with open_library(workdir) as lib:
        art = lib.recordings.create(url="http://twitch/art", mode="live", title="Art").id
        lib.segments.save(
            art,
            start_s=0,
            end_s=20,
            text="In Photoshop I add a layer mask, then the clone stamp tool fixes the sky.",
        )
        talk = lib.recordings.create(url="http://radio/talk", mode="live", title="Talk").id
        lib.segments.save(talk, start_s=0, end_s=9, text="The council votes on the budget today.")
    result = run_cli("tutorials", "recommend", "--recording", str(art), "-k", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("helpx.adobe.com/photoshop" in line for line in lines)
    result = run_cli("tutorials", "recommend", "--recording", str(talk))
    assert result.returncode == 0 and "not about creative software" in result.stdout
    result = run_cli("tutorials", "recommend", "--recording", "999")
    assert result.returncode == 1 and "999" in result.stderr
    result = run_cli("tutorials", "recommend")
    assert result.returncode == 1 and "--recording ID" in result.stderr


TALK_RADIO = (
    "Welcome back to the morning show. The history of this town matters, so text us your "
    "thoughts. Fill in the form on our website and move fast: the world does not wait. "
    "Contrast that with the levels of traffic today, and AI is all anyone talks about. "
    "Stay in this lane, the cut on route nine is closed, and the city council wants to "
    "resolve the dispute over the budget before the light at Main Street is replaced."
)


def test_everyday_words_do_not_make_a_stream_creative():
    from nlp.tutorials import Ontology, names_creative_work

    ontology = Ontology.load()
    assert ontology.mentions(TALK_RADIO)[1]  # tool words are there (they still steer picks)
    assert not names_creative_work(ontology, TALK_RADIO)
    news = "A doctored picture, edited in Photoshop, spread online before the election. " * 1
    assert not names_creative_work(ontology, news + TALK_RADIO)  # one mention is news
    assert names_creative_work(ontology, PHOTOSHOP_TALK)
    painting = (
        "okay chat, new layer, grab the brush tool, lower the opacity a bit, then the "
        "clone stamp over that edge and a layer mask for the sky"
    )
    assert names_creative_work(ontology, painting)  # no program named, its tools are


def test_talk_radio_and_tutorials_are_told_apart_on_real_transcripts():
    import ast
    from pathlib import Path

    from nlp.tutorials import Ontology, names_creative_work

    shared = Path(__file__).resolve().parents[3] / "shared" / "data"
    radio = sorted((shared / "wavepulse" / "transcripts").glob("*.json"))
    tutorials = shared / "pstuts" / "test.json"
    if not radio or not tutorials.is_file():
        pytest.skip(f"WavePulse and PsTuts data not found under {shared}")
    ontology = Ontology.load()
    creative_radio = 0
    for path in radio:
        data = json.loads(path.read_text(encoding="utf-8"))
        segments = data if isinstance(data, list) else data.get("segments", [])
        text = " ".join(s.get("text", "") for s in segments)[-20000:]
        creative_radio += names_creative_work(ontology, text)
    assert creative_radio == 0, f"{creative_radio} radio shows taken for creative streams"
    for video in json.loads(tutorials.read_text()):
        sentences = video["transcripts"]
        sentences = ast.literal_eval(sentences) if isinstance(sentences, str) else sentences
        text = " ".join(s["sent"] for s in sentences)[-20000:]
        assert names_creative_work(ontology, text), video["title"]
