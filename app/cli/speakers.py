"""`speakers ID`, `speakers rename ID WHO NAME`, `speakers profiles`, `speakers forget`:
who speaks in a recording, and the voices Streamlens recognises across recordings."""

from __future__ import annotations

from app.cli.common import EXIT_OK, EXIT_USAGE
from app.config import Settings
from app.services import open_library


def register(sub, common) -> None:
    p = sub.add_parser(
        "speakers",
        parents=[common],
        help="who speaks in a recording; name a voice once for every recording",
        description="`speakers ID` lists a recording's speakers. "
        "`speakers rename ID WHO NAME` names a speaker (WHO: its label, number or name) in "
        "every recording where the voice is found. `speakers profiles [--source ID]` lists "
        "the voices known per source; `speakers forget PROFILE` deletes one.",
    )
    p.add_argument(
        "words",
        nargs="+",
        metavar="ARG",
        help="ID | rename ID WHO NAME | profiles | forget PROFILE",
    )
    p.add_argument("--source", type=int, help="with `profiles`: one source's voices")
    p.set_defaults(handler=cmd_speakers)


def cmd_speakers(args, settings: Settings) -> int:
    words = args.words
    library = open_library(settings)
    if words[0] == "rename":
        if len(words) < 4 or not words[1].isdigit():
            return _usage("speakers rename ID WHO NAME")
        from app.speaker_names import rename_speaker

        name = " ".join(words[3:])
        profile = rename_speaker(library, int(words[1]), words[2], name)
        print(
            f"Speaker {profile.number} is now {profile.display!r} in every recording of its voice."
        )
        return EXIT_OK
    if words[0] == "profiles":
        return _profiles(library, args.source)
    if words[0] == "forget":
        if len(words) != 2 or not words[1].isdigit():
            return _usage("speakers forget PROFILE")
        profile = library.speakers.profile(int(words[1]))
        library.speakers.delete_profile(profile.id)
        print(
            f"Forgot voice profile {profile.id} ({profile.display}); recordings keep their labels."
        )
        return EXIT_OK
    if len(words) != 1 or not words[0].isdigit():
        return _usage("speakers ID")
    return _recording(library, int(words[0]))


def _recording(library, recording_id: int) -> int:
    recording = library.recordings.get(recording_id)
    speakers = library.speakers.for_recording(recording_id)
    print(f"# {recording.title or recording.url}")
    if not speakers:
        print("(no speakers found: no speech, or it was transcribed without speakers)")
        return EXIT_OK
    print(f"{'speaker':<12} {'name':<20} {'speech':>8} {'segments':>8}  voice")
    for s in speakers:
        if s.profile_id is None:
            voice = "no profile"
        elif s.similarity is None:
            voice = f"profile {s.profile_id}, new here"
        else:
            voice = f"profile {s.profile_id}, known voice (similarity {s.similarity:.2f})"
        name = s.name or "-"
        print(f"{s.label:<12} {name:<20} {s.speech_s:>7.0f}s {s.segments:>8}  {voice}")
    from app.speaker_mentions import mentions_by_speaker

    mentions = mentions_by_speaker(library, recording_id)
    if mentions:
        print("\nwho mentions whom:")
        for s in speakers:
            if s.display in mentions:
                said = ", ".join(f"{n} ({k})" for n, k in mentions[s.display])
                print(f"  {s.display}: {said}")
    return EXIT_OK


def _profiles(library, source_id: int | None) -> int:
    profiles = library.speakers.profiles(source_id)
    if not profiles:
        print("(no voice profiles yet)")
        return EXIT_OK
    names = {s.id: s.name or s.url for s in library.sources.list()}
    print(f"{'profile':>7}  {'voice':<20} {'speech':>8} {'recordings':>10}  source")
    for p in profiles:
        source = names.get(p.source_id, "-") if p.source_id is not None else "-"
        print(f"{p.id:>7}  {p.display:<20} {p.weight_s:>7.0f}s {p.recordings:>10}  {source}")
    return EXIT_OK


def _usage(form: str) -> int:
    from app.cli.common import err

    err(f"usage: speakers {form.removeprefix('speakers ')}")
    return EXIT_USAGE
