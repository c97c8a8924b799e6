"""Streamlens: the program's front door (`streamlens`, `python -m streamlens`, `main.py`).

This package only decides between the desktop app (`ui/`) and the commands (`app/cli`); it
sits above both layers so neither has to know about the other.
"""
