"""Argument dispatch for `amplify` / `amplify-local`: finds the command, hands it the rest of argv.

Parsing of each command's own options lives in its module under `amplify_local.commands`.
"""

from __future__ import annotations

import importlib
import sys

from amplify_local import __version__
from amplify_local.commands import BY_NAME, COMMANDS, Command

USAGE = "usage: amplify <command> [options]   (amplify help, amplify <command> --help)"


def print_help() -> None:
    width = max(len(command.name) for command in COMMANDS)
    lines = [f"amplify-local {__version__}: the Amplify CLI core and local mock, without Java", "", USAGE, ""]
    for command in COMMANDS:
        note = "" if command.module else "  (not available yet)"
        lines.append(f"  {command.name.ljust(width)}  {command.summary}{note}")
    print("\n".join(lines))


def unknown(name: str) -> int:
    import difflib

    close = difflib.get_close_matches(name, BY_NAME, n=1)
    hint = f' Did you mean "amplify {close[0]}"?' if close else ""
    print(f'amplify: "{name}" is not a command.{hint} Run "amplify help" for the list.', file=sys.stderr)
    return 2


def unavailable(command: Command) -> int:
    """Say what the command will do and which commands work now (read from the table, so it stays true)."""
    available = [entry.name for entry in COMMANDS if entry.module]
    print(
        f"amplify {command.name}: not available yet in amplify-local ({command.planned}). "
        f"The local commands are {', '.join(available[:-1])} and {available[-1]}.",
        file=sys.stderr,
    )
    return 2


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("help", "-h", "--help"):
        if len(args) > 1 and args[1] in BY_NAME:
            return main([args[1], "--help"])
        print_help()
        return 0
    if args[0] in ("--version", "-v", "version"):
        print(__version__)
        return 0
    command = BY_NAME.get(args[0])
    if command is None:
        return unknown(args[0])
    if command.module is None:
        return unavailable(command)
    module = importlib.import_module(f"amplify_local.commands.{command.module}")
    try:
        return int(module.main(args[1:]) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
