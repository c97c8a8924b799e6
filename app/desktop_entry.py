"""Put Streamlens in the desktop's application menu: a freedesktop.org desktop entry and its
icon under the user's data folder (`$XDG_DATA_HOME`, by default `~/.local/share`).

`pip install` cannot do this itself (wheels install no files outside the environment), so
`streamlens desktop install` does it once, pointing the menu entry at the program that ran it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app.errors import UsageError

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
TEMPLATE = RESOURCES / "streamlens.desktop"
ICON = RESOURCES / "icons" / "streamlens.svg"
APP_ID = "streamlens"


@dataclass(frozen=True)
class DesktopFiles:
    entry: Path
    icon: Path


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def desktop_files(home: Path | None = None) -> DesktopFiles:
    home = home or data_home()
    return DesktopFiles(
        entry=home / "applications" / f"{APP_ID}.desktop",
        icon=home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    )


def launch_command() -> list[str]:
    """How the menu starts this very installation: the `streamlens` script beside this
    Python when there is one (pip/pipx install), else this Python running the package."""
    script = Path(sys.executable).with_name("streamlens")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "streamlens"]


def _exec_value(command: list[str]) -> str:
    """A desktop-entry Exec value: arguments with spaces or quotes quoted as the spec asks."""
    quoted = []
    for arg in command:
        if any(c in arg for c in " \t\"'\\$`"):
            for special in ("\\", '"', "$", "`"):
                arg = arg.replace(special, "\\" + special)
            quoted.append(f'"{arg}"')
        else:
            quoted.append(arg)
    return " ".join(quoted)


def render_entry(command: list[str], icon: Path) -> str:
    """The shipped template with Exec/TryExec pointing at `command` and the icon's path."""
    lines = []
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0]
        if key == "Exec":
            line = f"Exec={_exec_value(command)}"
        elif key == "TryExec":
            line = f"TryExec={command[0]}"
        elif key == "Icon":
            line = f"Icon={icon}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(home: Path | None = None, command: list[str] | None = None) -> DesktopFiles:
    """Write the menu entry and icon (replacing older ones); returns where they went."""
    files = desktop_files(home)
    try:
        files.icon.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ICON, files.icon)
        files.entry.parent.mkdir(parents=True, exist_ok=True)
        files.entry.write_text(render_entry(command or launch_command(), files.icon), "utf-8")
    except OSError as exc:
        raise UsageError(f"Could not install the desktop entry: {exc}") from exc
    _refresh_menus(files.entry.parent)
    return files


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what `install` wrote; returns the files that were there."""
    files = desktop_files(home)
    removed = []
    for path in (files.entry, files.icon):
        if path.exists():
            path.unlink()
            removed.append(path)
    _refresh_menus(files.entry.parent)
    return removed


def _refresh_menus(applications: Path) -> None:
    """Desktops that cache their menu learn of the change (when the tool exists)."""
    tool = shutil.which("update-desktop-database")
    if tool and applications.is_dir():
        subprocess.run([tool, "-q", str(applications)], check=False, timeout=30)


def describe(command: list[str]) -> str:
    return shlex.join(command)
