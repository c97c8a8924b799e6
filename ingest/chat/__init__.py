"""Live chat: Twitch IRC (anonymous, read-only), YouTube live chat through yt-dlp, and
replay files of archived streams. Everything becomes `ChatEvent`s on one timeline."""

from ingest.chat.types import ChatEvent

__all__ = ["ChatEvent"]
