"""`chat`, `stats`, `moderate`: reading chat back, its analytics, and classifying chat logs."""

from __future__ import annotations

import json
import sys

from app.cli.common import EXIT_OK
from app.config import Settings
from app.services import open_library
from app.timefmt import hms


def register(sub, common) -> None:
    p = sub.add_parser("chat", parents=[common], help="print a recording's chat")
    p.add_argument("id", type=int)
    p.add_argument("--flagged", action="store_true", help="only messages flagged as violations")
    p.add_argument("--events", action="store_true", help="include bans, timeouts, deletions, subs")
    p.set_defaults(handler=cmd_chat)

    p = sub.add_parser("stats", parents=[common], help="chat analytics of a recording")
    p.add_argument("id", type=int)
    p.add_argument("--windows", action="store_true", help="also print every window's counts")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser(
        "moderate",
        parents=[common],
        help="classify a chat file; one JSON line per message",
        description="Classify chat messages for norm violations (NormVio categories). FILE is a "
        "replay (yt-dlp live_chat.json, chat-downloader JSON/JSONL, CSV timestamp,author,"
        "message) or JSONL with `message` and optional `context` (earlier messages, as "
        "strings or objects with `message` and optional `author`), `author`, `title`, "
        "`category`, `streamer`. Use - for stdin.",
    )
    p.add_argument("file")
    p.add_argument("--threshold", type=float, help="violation threshold (default: the model's)")
    p.add_argument("--no-context", action="store_true", help="judge each message alone")
    p.set_defaults(handler=cmd_moderate)


def cmd_chat(args, settings: Settings) -> int:
    library = open_library(settings)
    recording = library.recordings.get(args.id)
    kinds = None if args.events else ("message",)
    rows = library.chat.for_recording(args.id, flagged_only=args.flagged, kinds=kinds)
    if not rows:
        print(f"No chat stored for recording #{recording.id}.")
        return EXIT_OK
    for m in rows:
        when = hms(m.offset_s)
        if m.kind != "message":
            who = m.target_user or m.display_name
            extra = f" {m.duration_s:.0f} s" if m.duration_s else ""
            print(f"[{when}] -- {m.kind}{extra}: {who} {m.text}".rstrip())
            continue
        flag = f"  ⚑ {m.category or 'violation'} ({m.score:.2f})" if m.violation else ""
        gone = " (deleted)" if m.deleted else ""
        print(f"[{when}] {m.display_name}: {m.text}{gone}{flag}")
    return EXIT_OK


def cmd_stats(args, settings: Settings) -> int:
    from app.chat_stats import recording_stats

    library = open_library(settings)
    recording = library.recordings.get(args.id)
    stats = recording_stats(library, args.id)
    print(f"# Chat of #{recording.id} {recording.title or recording.url}")
    if not stats.messages:
        print("No chat messages stored.")
        return EXIT_OK
    print(
        f"messages {stats.messages} · {stats.per_minute:.1f}/min (peak {stats.peak_per_minute} "
        f"in a minute) · chatters {stats.chatters} · first-time {stats.first_timers}"
    )
    print("top chatters: " + ", ".join(f"{name} ({n})" for name, n in stats.top_chatters))
    if stats.top_emotes:
        print("top emotes: " + ", ".join(f"{name} ({n})" for name, n in stats.top_emotes))
    moderation = ", ".join(f"{k} {v}" for k, v in sorted(stats.moderation.items())) or "none"
    print(f"moderation actions: {moderation}")
    flagged = ", ".join(f"{k} {v}" for k, v in sorted(stats.flagged.items(), key=lambda kv: -kv[1]))
    print(f"flagged messages: {flagged or 'none'}")
    if stats.spikes:
        print("chat spikes (candidate highlights):")
        for spike in stats.spikes:
            said = spike.transcript[:160] + ("…" if len(spike.transcript) > 160 else "")
            said = said or "(no transcript)"
            print(
                f"  [{hms(spike.start_s)}–{hms(spike.end_s)}] {spike.messages} messages "
                f"(baseline {spike.baseline:g}, z {spike.score:.1f}) — said: {said}"
            )
            for line in spike.sample[:3]:
                print(f"      {line}")
    if args.windows:
        print("window     msgs chatters first emotes flagged mod")
        for w in stats.windows:
            mark = " *" if w.is_spike else ""
            print(
                f"{hms(w.start_s)} {w.messages:>5} {w.chatters:>8} {w.first_timers:>5} "
                f"{w.emotes:>6} {w.flagged:>7} {w.moderation_actions:>3}{mark}"
            )
    return EXIT_OK


def cmd_moderate(args, settings: Settings) -> int:
    from app.chat_logs import moderate_log

    checked = moderate_log(args.file, args.threshold, not args.no_context)
    if checked.skipped_lines:
        print(f"note: {checked.skipped_lines} unreadable line(s) skipped", file=sys.stderr)
    for message, verdict in checked.results:
        sys.stdout.write(
            json.dumps(
                {
                    "message": message,
                    "violation": verdict.violation,
                    "score": round(verdict.score, 4),
                    "category": verdict.category,
                    "target": verdict.target,
                },
                ensure_ascii=False,
            )
            + "\n"
        )
    return EXIT_OK
