"""The active tutorial catalog's recommender is built once and rebuilt when it changes."""

from __future__ import annotations

from app.config import Settings
from app.tutorial_catalog import active_recommender, import_catalog, recommend_with


def test_the_recommender_is_reused_until_the_users_catalog_changes(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", db_url="sqlite://", cache_dir=tmp_path)
    first = active_recommender(settings)
    assert active_recommender(settings) is first  # embedding the catalog happens once
    extra = tmp_path / "mine.csv"
    extra.write_text("title,url,software\nMy brushes,https://example.com/brushes,Krita\n")
    import_catalog(settings, extra)
    second = active_recommender(settings)
    assert second is not first
    assert any(t.url == "https://example.com/brushes" for t in second.catalog)


def test_no_recommender_is_built_for_talk(tmp_path):
    asked = []
    talk = "The council met today to talk about the budget and the new bus routes." * 20
    assert recommend_with(lambda: asked.append(1), talk) == [] and asked == []
