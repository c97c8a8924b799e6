"""`punctuate`: restore punctuation and capitals in text (stdin or a file)."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.common import EXIT_OK
from app.config import Settings
from app.errors import UsageError


def register(sub, common) -> None:
    p = sub.add_parser(
        "punctuate",
        parents=[common],
        help="restore punctuation and capitals in text (stdin or a file)",
        description="Reads text (its own punctuation is ignored and predicted again) and "
        "prints it punctuated and capitalised. With no FILE, or -, reads stdin.",
    )
    p.add_argument("file", nargs="?", default="-")
    p.set_defaults(handler=cmd_punctuate)


def cmd_punctuate(args, settings: Settings) -> int:
    from nlp.punctuation import load_punctuation_model

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"Cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    model = load_punctuation_model()
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            print(model.restore(paragraph))
            print()
    return EXIT_OK
