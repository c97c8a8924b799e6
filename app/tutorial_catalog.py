"""The tutorial catalog the user works with: the shipped one plus what they imported.

Imports are validated in full before anything is written, and the user's file is replaced
atomically, so a malformed file leaves the catalog exactly as it was.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from app.config import Settings
from app.errors import UsageError
from nlp.tutorials import (
    DEFAULT_CATALOG,
    CatalogError,
    Recommendation,
    Recommender,
    Tutorial,
    load_catalog,
)

RECORDING_TEXT_CHARS = 20_000  # the recording's last ~3,000 words: what it ended up being about


def user_catalog_path(settings: Settings) -> Path:
    return settings.data_dir / "tutorials.json"


def active_catalog(settings: Settings) -> list[Tutorial]:
    tutorials = load_catalog(DEFAULT_CATALOG)
    path = user_catalog_path(settings)
    if path.exists():
        try:
            tutorials += load_catalog(path)
        except CatalogError as exc:
            raise UsageError(f"Your tutorial catalog is damaged: {exc}") from None
    by_url = {}
    for tutorial in tutorials:
        by_url[tutorial.url] = tutorial  # a later entry (the user's) wins
    return list(by_url.values())


_RECOMMENDER: dict[tuple, Recommender] = {}
_RECOMMENDER_LOCK = threading.Lock()


def active_recommender(settings: Settings) -> Recommender:
    """A recommender over the active catalog, built once (it embeds every tutorial) and
    rebuilt only when the user's catalog file changes."""
    path = user_catalog_path(settings)
    key = (str(path), path.stat().st_mtime_ns if path.exists() else None)
    with _RECOMMENDER_LOCK:
        if key not in _RECOMMENDER:
            _RECOMMENDER.clear()
            _RECOMMENDER[key] = Recommender(active_catalog(settings))
        return _RECOMMENDER[key]


def recommend_with(
    get_recommender: Callable[[], Recommender], text: str, k: int = 5
) -> list[Recommendation]:
    """Tutorials for a recording's transcript; none unless it is a creative or educational
    stream (a talk show that says "layer" once should get no Photoshop links). The
    recommender is asked for only then: building one embeds the whole catalog."""
    from nlp.tutorials import Ontology, names_creative_work

    text = text[-RECORDING_TEXT_CHARS:]
    if not text.strip() or not names_creative_work(Ontology.load(), text):
        return []
    return get_recommender().recommend(text, k)


def import_catalog(settings: Settings, source: Path) -> tuple[int, int]:
    """Add the tutorials of `source` (JSON or CSV); returns (added, replaced)."""
    try:
        new = load_catalog(Path(source))
    except CatalogError as exc:
        raise UsageError(f"{exc} The catalog was not changed.") from None
    path = user_catalog_path(settings)
    current = load_catalog(path) if path.exists() else []
    known = {t.url: t for t in current}
    replaced = sum(1 for t in new if t.url in known)
    for tutorial in new:
        known[tutorial.url] = tutorial
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps([_plain(t) for t in known.values()], indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return len(new) - replaced, replaced


def _plain(tutorial: Tutorial) -> dict:
    data = asdict(tutorial)
    data["tools"] = list(tutorial.tools)
    return data
