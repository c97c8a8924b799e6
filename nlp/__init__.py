"""Audio → text → meaning. Functions here take plain data and know nothing of storage or UI."""
