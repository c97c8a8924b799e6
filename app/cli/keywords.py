"""`keywords ID`, `trends` and `mentions`: what a stream is about, what is rising across the
library, and how often a term is said day by day."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.cli.common import EXIT_OK
from app.config import Settings
from app.errors import UsageError
from app.services import open_library
from app.timefmt import hms, parse_when

if TYPE_CHECKING:
    from app.timelines import Timeline


def register(sub, common) -> None:
    register_tutorials(sub, common)
    p = sub.add_parser("keywords", parents=[common], help="a recording's keywords, per window too")
    p.add_argument("id", type=int)
    p.add_argument("--refresh", action="store_true", help="compute them again")
    p.set_defaults(handler=cmd_keywords)
    p = sub.add_parser(
        "entities", parents=[common], help="people, organisations, places, events mentioned"
    )
    p.add_argument("id", type=int, nargs="?", help="a recording (omit with --find)")
    p.add_argument("--find", metavar="NAME", help="recordings that mention NAME")
    p.add_argument("--refresh", action="store_true", help="find them again")
    p.set_defaults(handler=cmd_entities)
    p = sub.add_parser(
        "trends", parents=[common], help="terms bursting in recent recordings vs. earlier ones"
    )
    p.add_argument("--since", help="the recent period starts here (default: the latest 20 %%)")
    p.add_argument("--until", help="and ends here (a bare date includes that day)")
    p.add_argument("--top", type=int, default=15)
    p.set_defaults(handler=cmd_trends)
    p = sub.add_parser(
        "mentions",
        parents=[common],
        help="times a term is said per day over the library (a trend as a curve)",
        description="Times each TERM is said per day, from the library's first recording day "
        "to its last (days as stored, UTC). 0: recordings that day, the term not said; "
        "—: nothing recorded.",
    )
    p.add_argument("terms", nargs="+", metavar="TERM", help="a word or phrase (one per column)")
    p.add_argument(
        "--by",
        choices=("state", "station"),
        help="one column per state or station (the top 6, the rest as 'other'), for one TERM",
    )
    p.add_argument(
        "--entity",
        action="store_true",
        help="count a named entity's mentions (as entities --find matches it), not the words",
    )
    p.set_defaults(handler=cmd_mentions)


def cmd_keywords(args, settings: Settings) -> int:
    from app.analyses import keywords_of

    library = open_library(settings)
    recording = library.recordings.get(args.id)
    rows = keywords_of(library, args.id, refresh=args.refresh)
    print(f"# {recording.title or recording.url}")
    if not rows:
        print("(no transcript to find keywords in)")
        return EXIT_OK
    overall = [k for k in rows if k.scope == "recording"]
    print("recording: " + ", ".join(f"{k.term} ({k.count})" for k in overall))
    windows: dict[float, list] = {}
    for k in rows:
        if k.scope == "window":
            windows.setdefault(k.start_s, []).append(k)
    for start in sorted(windows):
        terms = ", ".join(k.term for k in windows[start])
        print(f"[{hms(start)}–{hms(windows[start][0].end_s)}] {terms}")
    return EXIT_OK


def cmd_trends(args, settings: Settings) -> int:
    from app.keywords import default_trend_start, trends

    library = open_library(settings)
    since = parse_when(args.since) if args.since else default_trend_start(library)
    until = parse_when(args.until, end_of_day=True) if args.until else None
    found = trends(library, since, until, args.top)
    when = args.since or f"{since:%Y-%m-%d %H:%M} UTC"
    print(f"Trends since {when} (against everything before; simulcasts and reruns count once):")
    if not found:
        print("  nothing rises clearly above its baseline.")
    for t in found:
        b = t.burst
        print(f"  {b.term}: in {b.recent} recent sources vs {b.baseline} before (z {b.score:.1f})")
        for rid, title, seconds in t.moments[:3]:
            print(f"      #{rid} {title} [{hms(seconds)}]")
    return EXIT_OK


def cmd_mentions(args, settings: Settings) -> int:
    from app.timelines import entity_timeline, term_timeline

    library = open_library(settings)
    timeline = (entity_timeline if args.entity else term_timeline)(library, args.terms, args.by)
    if not timeline.days:
        print("The library has no recordings yet.")
        return EXIT_OK
    print(f"{timeline.title} (days as stored, UTC; — nothing recorded):")
    for line in mentions_table(timeline):
        print(line)
    return EXIT_OK


def mentions_table(timeline: Timeline) -> list[str]:
    """Rows of day and count per line; a run of days with no recording at all is one row,
    so a sparse library does not print a screen of dashes."""
    lines = list(timeline.series)
    widths = [max(len(name), 5) for name in lines]

    def row(label: str, values: list[str]) -> str:
        cells = "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True))
        return f"{label:<10}  {cells}".rstrip()

    out = [row("day", lines)]
    gap: list[date] = []
    for i, day in enumerate(timeline.days):
        if day in timeline.unrecorded:
            gap.append(day)
            continue
        if gap:
            out.append(_gap_row(gap))
            gap = []
        counts = [timeline.series[name][i][1] for name in lines]
        out.append(row(f"{day:%Y-%m-%d}", ["—" if c is None else str(c) for c in counts]))
    out.append(row("total", [str(timeline.total(name)) for name in lines]))
    return out


def _gap_row(days: list[date]) -> str:
    span = f"{days[0]:%Y-%m-%d}" + (f" – {days[-1]:%Y-%m-%d}" if len(days) > 1 else "")
    return f"(no recordings {span})"


def cmd_entities(args, settings: Settings) -> int:
    from app.analyses import entities_of

    library = open_library(settings)
    if args.find:
        hits = library.entities.find(args.find)
        if not hits:
            print(f"No recording mentions {args.find!r}.")
        for rid, title, e in hits:
            first = hms(e.first_s)
            print(f"#{rid} {title or ''}: {e.name} ({e.kind}) ×{e.mentions}, first at {first}")
        return EXIT_OK
    if args.id is None:
        raise UsageError("Give a recording ID, or --find NAME.")
    recording = library.recordings.get(args.id)
    rows = entities_of(library, args.id, refresh=args.refresh)
    print(f"# {recording.title or recording.url}")
    overall = [e for e in rows if e.scope == "recording"]
    if not overall:
        print("(no named entities found)")
    for kind in ("person", "organisation", "place", "event", "group", "product", "work", "law"):
        names = [e for e in overall if e.kind == kind]
        if names:
            listed = ", ".join(f"{e.name} ×{e.mentions}" for e in names[:15])
            print(f"{kind}s: {listed}")
    return EXIT_OK


def register_tutorials(sub, common) -> None:
    p = sub.add_parser("tutorials", parents=[common], help="tutorial catalog and recommendations")
    p.set_defaults(group_parser=p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser(
        "recommend",
        parents=[common],
        help="the tutorials that fit a text (or - for stdin), or a recording (--recording ID)",
    )
    a.add_argument("text", nargs="?")
    a.add_argument("--recording", type=int, metavar="ID", help="recommend for a recording")
    a.add_argument("--catalog", help="a catalog file to use instead of yours")
    a.add_argument("-k", type=int, default=5)
    a.set_defaults(handler=cmd_tutorials_recommend)
    a = actions.add_parser(
        "import", parents=[common], help="add tutorials from a JSON or CSV file to your catalog"
    )
    a.add_argument("file")
    a.set_defaults(handler=cmd_tutorials_import)
    a = actions.add_parser("list", parents=[common], help="the tutorials in your catalog")
    a.set_defaults(handler=cmd_tutorials_list)


def cmd_tutorials_recommend(args, settings: Settings) -> int:
    import sys
    from pathlib import Path

    from app.tutorial_catalog import active_catalog
    from nlp.tutorials import CatalogError, Recommender, load_catalog

    try:
        catalog = load_catalog(Path(args.catalog)) if args.catalog else active_catalog(settings)
    except CatalogError as exc:
        raise UsageError(str(exc)) from None
    if args.recording is not None:
        from app.tutorial_catalog import recommend_with

        library = open_library(settings)
        library.recordings.get(args.recording)  # an unknown ID fails here, in words
        segments = library.segments.for_recording(args.recording)
        text = " ".join(s.text for s in segments)
        found = recommend_with(lambda: Recommender(catalog), text, args.k)
        if not found:
            print(f"No tutorials: recording #{args.recording} is not about creative software.")
    else:
        text = sys.stdin.read() if args.text == "-" else (args.text or "")
        if not text.strip():
            raise UsageError("Give some text (or - to read it from stdin), or --recording ID.")
        found = Recommender(catalog).recommend(text, args.k)
    for r in found:
        tools = f"  [{', '.join(r.matched_tools)}]" if r.matched_tools else ""
        print(f"{r.score:.3f}  {r.tutorial.title} — {r.tutorial.url}{tools}")
    return EXIT_OK


def cmd_tutorials_import(args, settings: Settings) -> int:
    from pathlib import Path

    from app.tutorial_catalog import import_catalog

    added, replaced = import_catalog(settings, Path(args.file))
    print(f"Added {added} tutorials, updated {replaced}.")
    return EXIT_OK


def cmd_tutorials_list(args, settings: Settings) -> int:
    from app.tutorial_catalog import active_catalog

    for t in active_catalog(settings):
        print(f"{t.software or '—':<16} {t.title} — {t.url}")
    return EXIT_OK
