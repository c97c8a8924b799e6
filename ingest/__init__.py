"""URL → stream info (yt-dlp) → 16 kHz mono PCM (ffmpeg) → archived audio; chat later."""
