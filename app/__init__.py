"""Use cases (plain Python, no Qt): live sessions, transcription, search, export; the CLI."""
