"""Can a window open here? Checked before Qt gets the chance to abort.

When Qt's platform plugin cannot load (a system library missing) or cannot reach the display,
Qt prints a page of plugin diagnostics and aborts the process with a core dump. A user then
sees neither what is wrong nor how to fix it. This module finds out first, without loading
the plugin: `ldd` names the shared libraries the xcb plugin cannot resolve, a table maps them
to the Debian/Ubuntu packages that carry them, and a plain libxcb connection tells whether the
X server answers. `python -m ui.display_check --missing-packages` prints the packages for
`make run` to install.

It imports no Qt module, so it also runs where Qt itself cannot start.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# The shared libraries Qt's xcb plugin loads, by soname stem, and the Debian/Ubuntu packages
# that ship them. A minimal system usually lacks a few of the xcb utility libraries.
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-icccm": "libxcb-icccm4",
    "libxcb-keysyms": "libxcb-keysyms1",
    "libxcb-image": "libxcb-image0",
    "libxcb-render-util": "libxcb-render-util0",
    "libxcb-cursor": "libxcb-cursor0",
    "libxcb-randr": "libxcb-randr0",
    "libxcb-shape": "libxcb-shape0",
    "libxcb-shm": "libxcb-shm0",
    "libxcb-sync": "libxcb-sync1",
    "libxcb-xfixes": "libxcb-xfixes0",
    "libxcb-xkb": "libxcb-xkb1",
    "libxcb-render": "libxcb-render0",
    "libxcb-glx": "libxcb-glx0",
    "libxcb-xinerama": "libxcb-xinerama0",
    "libxcb-xinput": "libxcb-xinput0",
    "libxcb-util": "libxcb-util1",
    "libxcb": "libxcb1",
    "libX11-xcb": "libx11-xcb1",
    "libX11": "libx11-6",
    "libxkbcommon-x11": "libxkbcommon-x11-0",
    "libxkbcommon": "libxkbcommon0",
    "libSM": "libsm6",
    "libICE": "libice6",
    "libEGL": "libegl1",
    "libGL": "libgl1",
    "libOpenGL": "libopengl0",
    "libGLX": "libglx0",
    "libfontconfig": "libfontconfig1",
    "libfreetype": "libfreetype6",
    "libdbus-1": "libdbus-1-3",
    "libglib-2.0": "libglib2.0-0",
    "libgthread-2.0": "libglib2.0-0",
}
_SONAME_STEM = re.compile(r"^(?P<stem>.+?)\.so(?:\.\d+)*$")
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


def qt_plugin_dir() -> Path | None:
    """Where PySide6 keeps its Qt plugins (found without importing Qt's libraries)."""
    try:
        import PySide6  # the package __init__ only; no Qt library is loaded by it
    except ImportError:
        return None
    folder = Path(PySide6.__file__).parent / "Qt" / "plugins"
    return folder if folder.is_dir() else None


def xcb_plugin() -> Path | None:
    folder = qt_plugin_dir()
    plugin = folder / "platforms" / "libqxcb.so" if folder else None
    return plugin if plugin and plugin.exists() else None


def missing_libraries(binary: Path) -> list[str]:
    """The sonames `binary` needs that the dynamic loader cannot find (via `ldd`)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        out = subprocess.run(
            [ldd, str(binary)], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted(set(_NOT_FOUND.findall(out)))


def package_for(soname: str) -> str | None:
    """The Debian/Ubuntu package that ships `soname` (None when the table does not know)."""
    match = _SONAME_STEM.match(soname)
    stem = match.group("stem") if match else soname
    return DEBIAN_PACKAGES.get(stem)


def packages_for(sonames: list[str]) -> list[str]:
    return sorted({p for p in map(package_for, sonames) if p})


FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONT_PACKAGE = "fonts-dejavu-core"


def has_fonts() -> bool:
    """Whether any font file is installed: without one Qt draws windows with no text."""
    for folder in FONT_DIRS:
        if folder.is_dir() and any(
            f.suffix.lower() in (".ttf", ".otf", ".ttc", ".pfb") for f in folder.rglob("*")
        ):
            return True
    return False


def missing_packages() -> list[str]:
    """The Debian/Ubuntu packages to install so a window opens and shows text."""
    plugin = xcb_plugin()
    packages = packages_for(missing_libraries(plugin)) if plugin else []
    if not has_fonts():
        packages.append(FONT_PACKAGE)
    return packages


def _platform() -> str:
    """The Qt platform plugin Qt will pick (the parts of its choice that matter here)."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if chosen:
        return chosen
    if sys.platform != "linux":
        return "native"
    if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
        return "wayland"
    return "xcb"


def missing_library_message(sonames: list[str]) -> str:
    packages = packages_for(sonames)
    libraries = ", ".join(sonames)
    if packages:
        how = f"install them with: sudo apt-get install {' '.join(packages)}"
        unknown = [s for s in sonames if package_for(s) is None]
        if unknown:
            how += f" (and the package that provides {', '.join(unknown)})"
    else:
        how = "install them with your system's package manager"
    return (
        f"The desktop app cannot open a window: the system libraries {libraries} that Qt "
        f"needs to draw on an X display are missing; {how} (in a source checkout, `make run` "
        "does it), then start it again. The commands work without them (`--help` lists them)."
    )


def x_display_error(display: str) -> str | None:
    """Why the X server at `display` cannot be used, or None when it answers."""
    name = ctypes.util.find_library("xcb")
    if name is None:
        return None  # cannot test here; the missing-library check speaks about libxcb
    try:
        xcb = ctypes.CDLL(name)
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    failed = xcb.xcb_connection_has_error(connection)
    xcb.xcb_disconnect(connection)
    if not failed:
        return None
    return (
        f"The desktop app cannot open a window: the X display {display!r} (from DISPLAY) does "
        "not answer — start the X server or point DISPLAY at a running one (over SSH, use "
        "`ssh -X`); without a screen, use the commands (`--help` lists them)."
    )


def window_problem() -> str | None:
    """One sentence on why a window cannot open here, or None when it should.

    Only the xcb platform (X11, the default on Linux) is checked in depth; other platforms
    are left to Qt.
    """
    if _platform() != "xcb":
        return None
    display = os.environ.get("DISPLAY", "")
    if not display:
        return (
            "The desktop app cannot open a window: there is no display (DISPLAY is not set); "
            "run it in a desktop session, or use the commands (`--help` lists them)."
        )
    plugin = xcb_plugin()
    if plugin is None:
        return None  # Qt will say it has no xcb plugin; nothing to install from the system
    missing = missing_libraries(plugin)
    if missing:
        return missing_library_message(missing)
    return x_display_error(display)


def main(argv: list[str] | None = None) -> int:
    """`--missing-packages`: the Debian packages to install so Qt's xcb plugin loads (one
    line, empty when nothing is missing). `--check`: print the problem, exit 1 if any."""
    args = sys.argv[1:] if argv is None else argv
    if "--missing-packages" in args:
        print(" ".join(missing_packages()))
        return 0
    problem = window_problem()
    if problem:
        print(problem)
        return 1
    print("A window can open here.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
