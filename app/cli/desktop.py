"""`desktop install|uninstall`: the application-menu entry and icon for this installation."""

from __future__ import annotations

from app.cli.common import EXIT_OK
from app.config import Settings


def register(sub, common) -> None:
    p = sub.add_parser(
        "desktop",
        parents=[common],
        help="add Streamlens to (or remove it from) the desktop's application menu",
    )
    p.set_defaults(group_parser=p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser(
        "install",
        parents=[common],
        help="write the menu entry and icon under ~/.local/share (XDG_DATA_HOME)",
    )
    a.set_defaults(handler=cmd_install)
    a = actions.add_parser("uninstall", parents=[common], help="remove them again")
    a.set_defaults(handler=cmd_uninstall)


def cmd_install(args, settings: Settings) -> int:
    from app import desktop_entry

    command = desktop_entry.launch_command()
    files = desktop_entry.install(command=command)
    print(f"Menu entry: {files.entry}")
    print(f"Icon:       {files.icon}")
    print(f"Starts:     {desktop_entry.describe(command)}")
    return EXIT_OK


def cmd_uninstall(args, settings: Settings) -> int:
    from app import desktop_entry

    removed = desktop_entry.uninstall()
    for path in removed:
        print(f"Removed {path}")
    if not removed:
        print("Nothing to remove: no Streamlens menu entry was installed.")
    return EXIT_OK
