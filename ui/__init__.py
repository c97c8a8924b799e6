"""The desktop GUI (PySide6). The only layer that imports Qt."""
