"""The front door: the installed `streamlens` command, the sentence printed when no window
can open (instead of Qt's abort), and the desktop menu entry."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import desktop_entry
from ui import display_check

ROOT = Path(__file__).resolve().parents[1]
STREAMLENS = Path(sys.executable).with_name("streamlens")


def test_the_installed_command_runs_the_cli(tmp_path):
    assert STREAMLENS.exists(), "pip install -e . should have installed the streamlens script"
    env = dict(os.environ, STREAMLENS_DB=str(tmp_path / "lib.db"))
    env["STREAMLENS_DATA_DIR"] = str(tmp_path / "data")
    help_text = subprocess.run(
        [str(STREAMLENS), "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert help_text.startswith("usage: streamlens")
    for command in ("record", "transcribe", "search", "trends", "desktop"):
        assert command in help_text
    listing = subprocess.run(
        [str(STREAMLENS), "recordings"], capture_output=True, text=True, env=env, check=True
    )
    assert "No recordings yet" in listing.stdout
    module = subprocess.run(
        [sys.executable, "-m", "streamlens", "--help"], capture_output=True, text=True, env=env
    )
    assert module.returncode == 0 and "record" in module.stdout


def run_without_arguments(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )


def test_a_display_that_does_not_answer_is_said_in_one_sentence():
    run = run_without_arguments(
        {"QT_QPA_PLATFORM": None, "DISPLAY": ":93", "WAYLAND_DISPLAY": None}
    )
    assert run.returncode == 3  # not Qt's abort (-6) with a core dump
    message = run.stderr.strip()
    assert message.count("\n") == 0 and message.endswith(".")
    if "system libraries" not in message:  # a machine without Qt's X libraries says that
        assert "X display ':93'" in message and "does not answer" in message


def test_no_display_at_all_is_said_in_one_sentence():
    run = run_without_arguments({"QT_QPA_PLATFORM": None, "DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert run.returncode == 3
    assert "there is no display (DISPLAY is not set)" in run.stderr


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build a test library")
def test_a_missing_system_library_is_named_with_its_package(tmp_path):
    """A plugin that links to libraries the system lacks: `ldd` finds them, and the sentence
    names each with the package that installs it. (Versions no system has, so the test
    holds on a machine that has the real ones.)"""
    for stem, soname in (
        ("xcb-icccm", "libxcb-icccm.so.94"),
        ("xcb-keysyms", "libxcb-keysyms.so.91"),
    ):
        (tmp_path / f"{stem}.c").write_text(
            f"int {stem.replace('-', '_')}_stub(void) {{ return 1; }}\n"
        )
        subprocess.run(
            [
                "gcc",
                "-shared",
                "-fPIC",
                f"-Wl,-soname,{soname}",
                "-o",
                str(tmp_path / f"lib{stem}.so"),
                str(tmp_path / f"{stem}.c"),
            ],
            check=True,
        )
    (tmp_path / "plugin.c").write_text(
        "int xcb_icccm_stub(void); int xcb_keysyms_stub(void);\n"
        "int plugin(void) { return xcb_icccm_stub() + xcb_keysyms_stub(); }\n"
    )
    plugin = tmp_path / "libqfake.so"
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-o",
            str(plugin),
            str(tmp_path / "plugin.c"),
            f"-L{tmp_path}",
            "-lxcb-icccm",
            "-lxcb-keysyms",
        ],
        check=True,
    )
    for stem in ("xcb-icccm", "xcb-keysyms"):
        (tmp_path / f"lib{stem}.so").unlink()  # now the loader cannot find them

    missing = display_check.missing_libraries(plugin)
    assert missing == ["libxcb-icccm.so.94", "libxcb-keysyms.so.91"]
    message = display_check.missing_library_message(missing)
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in message
    assert message.count(". ") <= 1  # said in a sentence, plus where the commands are


def test_unknown_libraries_are_still_named():
    message = display_check.missing_library_message(["libfancy.so.2"])
    assert "libfancy.so.2" in message and "package manager" in message


def test_desktop_entry_installs_and_uninstalls(tmp_path):
    files = desktop_entry.install(home=tmp_path, command=["/opt/my apps/streamlens"])
    assert files.entry == tmp_path / "applications" / "streamlens.desktop"
    assert files.icon.read_bytes() == desktop_entry.ICON.read_bytes()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(files.entry)
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Name"] == "Streamlens"
    assert section["Exec"] == '"/opt/my apps/streamlens"'  # quoted as the spec asks
    assert section["TryExec"] == "/opt/my apps/streamlens"
    assert section["Icon"] == str(files.icon)
    assert section["StartupWMClass"] == "streamlens"
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(files.entry)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr
    assert sorted(desktop_entry.uninstall(home=tmp_path)) == sorted([files.entry, files.icon])
    assert not files.entry.exists() and not files.icon.exists()


def test_desktop_install_command_points_at_this_installation(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    run = subprocess.run(
        [str(STREAMLENS), "desktop", "install"], capture_output=True, text=True, env=env, check=True
    )
    entry = (tmp_path / "applications" / "streamlens.desktop").read_text()
    assert f"Exec={STREAMLENS}" in entry and "Menu entry:" in run.stdout


def test_a_wheel_installs_a_working_program(tmp_path):
    """`pip install .` (not editable): the code finds its models, demo and icon in the
    installed tree, and the `streamlens` script runs from there."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    [wheel] = tmp_path.glob("streamlens-*.whl")
    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        check=True,
        capture_output=True,
    )
    for shipped in (
        "resources/demo/monologue.opus",
        "resources/icons/streamlens.svg",
        "resources/models/punctuation_config.json",
        "resources/tutorials/catalog.json",
        "storage/migrations/versions/0001_initial.py",
    ):
        assert (target / shipped).exists(), shipped
    env = dict(os.environ, PYTHONPATH=str(target), STREAMLENS_DB=str(tmp_path / "lib.db"))
    env["STREAMLENS_DATA_DIR"] = str(tmp_path / "data")
    run = subprocess.run(
        [sys.executable, str(target / "bin" / "streamlens"), "tutorials", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # not the checkout: the installed copy must be the one that runs
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Photoshop" in run.stdout


def test_help_documents_every_exit_code_the_program_uses():
    import re

    from app.cli import EXIT_CODES_HELP
    from app.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
    from streamlens.launcher import EXIT_NO_WINDOW

    documented = {int(code) for code in re.findall(r"^\s+(\d+)\s", EXIT_CODES_HELP, re.M)}
    assert documented == {EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_WINDOW, EXIT_INTERRUPTED}
    readme = (ROOT / "README.md").read_text()
    for code in documented:
        assert re.search(rf"^\| `{code}` \|", readme, re.M), f"exit code {code} not in README"
