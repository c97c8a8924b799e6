"""Which ontology aliases everyday talk uses: the `_generic` list in
`resources/tutorials/ontology.json`.

An alias counts as generic when it occurs in at least `--min-share` of a corpus of ordinary
speech — by default every other WavePulse radio transcript (talk radio, news, ads); the
other half is left to check the result on (`--check`). Generic aliases still steer and
score recommendations; they just never, alone, make a stream count as creative work
("text", "history", "world", "fill", "AI" ... are said on every talk show).

    .venv/bin/python scripts/ontology_generic_aliases.py [--corpus DIR] [--write] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.tutorials import DEFAULT_ONTOLOGY, Ontology, names_creative_work, words_of  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "wavepulse" / "transcripts"
# Ordinary words and abbreviations that name a program too, too rare in a 50-show sample to
# be caught by counting: a cooking ad's "blender", a dispute to "resolve", "AI", "P.S.".
ALWAYS_GENERIC = {"ai", "blender", "illustrator", "ps", "resolve"}


def transcripts(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        segments = data if isinstance(data, list) else data.get("segments", [])
        texts.append(" ".join(s.get("text", "") for s in segments))
    return texts


def write_generic(generic: list[str]) -> None:
    """Set the `_generic` line of ontology.json, leaving the hand-kept layout alone."""
    line = f'  "_generic": {json.dumps(generic, ensure_ascii=False)},'
    lines = DEFAULT_ONTOLOGY.read_text(encoding="utf-8").splitlines()
    kept = [x for x in lines if not x.startswith('  "_generic":')]
    at = next(i for i, x in enumerate(kept) if x.startswith('  "_about":')) + 1
    kept.insert(at, line)
    DEFAULT_ONTOLOGY.write_text("\n".join(kept) + "\n", encoding="utf-8")
    json.loads(DEFAULT_ONTOLOGY.read_text(encoding="utf-8"))  # still valid JSON


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--min-share", type=float, default=0.04)
    parser.add_argument("--write", action="store_true", help="store the list in ontology.json")
    parser.add_argument("--check", action="store_true", help="gate the held-out half")
    args = parser.parse_args()
    texts = transcripts(args.corpus)
    if not texts:
        print(f"No transcripts in {args.corpus}.", file=sys.stderr)
        return 2
    fit, held_out = texts[0::2], texts[1::2]
    ontology = Ontology.load()
    aliases = {a for entries in ontology.tools.values() for _t, al in entries for a in al}
    aliases |= {a for al in ontology.software.values() for a in al}
    padded = [f" {' '.join(words_of(t))} " for t in fit]
    generic = sorted(
        {
            a
            for a in aliases
            if sum(f" {' '.join(words_of(a))} " in p for p in padded) >= args.min_share * len(fit)
        }
        | (ALWAYS_GENERIC & aliases)
    )
    print(f"{len(generic)} generic aliases (in ≥{args.min_share:.0%} of {len(fit)} transcripts):")
    print(", ".join(generic))
    if args.write:
        write_generic(generic)
        print(f"written to {DEFAULT_ONTOLOGY}")
    if args.check:
        gated = Ontology.load()
        creative = sum(names_creative_work(gated, t) for t in held_out)
        print(f"held-out radio transcripts counted as creative: {creative} of {len(held_out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
