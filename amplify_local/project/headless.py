"""Command-line options of the headless commands and the questions asked when a value is missing.

The real CLI reads `--amplify`, `--frontend` and `--providers` as JSON strings (its sample scripts pass
them through shell variables with `IFS='|'`), plus `--yes`/`-y` and `--app`. A missing value is taken
from the defaults with `--yes`, asked on a terminal, and otherwise refused naming the parameter.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from amplify_local.project.files import ProjectError
from amplify_local.project.settings import parse_json_argument

JSON_OPTIONS = ("--amplify", "--frontend", "--providers")
T = TypeVar("T")


@dataclass
class HeadlessOptions:
    json: dict[str, dict[str, Any]] = field(default_factory=dict)  # "--amplify" -> decoded object
    values: dict[str, str] = field(default_factory=dict)  # other options that take a value
    flags: set[str] = field(default_factory=set)
    positionals: list[str] = field(default_factory=list)

    @property
    def yes(self) -> bool:
        return "--yes" in self.flags


def parse_options(
    command: str,
    argv: list[str],
    json_options: tuple[str, ...] = JSON_OPTIONS,
    value_options: tuple[str, ...] = (),
    flags: tuple[str, ...] = ("--yes",),
    positionals: int = 0,
) -> HeadlessOptions:
    """Parse `argv` strictly: unknown options, missing values and repeated options are refused."""
    options = HeadlessOptions()
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, _, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        name = "--yes" if name == "-y" else name
        if name in json_options or name in value_options:
            if inline == "" and "=" not in arg:
                if not args:
                    raise ProjectError(f"amplify {command}: {name} needs a value")
                inline = args.pop(0)
            if name in options.json or name in options.values:
                raise ProjectError(f"amplify {command}: {name} is given twice")
            if name in json_options:
                options.json[name] = parse_json_argument(name, inline)
            else:
                options.values[name] = inline
        elif name in flags:
            options.flags.add(name)
        elif arg.startswith("-"):
            known = ", ".join((*json_options, *value_options, *flags))
            raise ProjectError(f'amplify {command}: unknown option "{arg}". Options: {known}')
        else:
            options.positionals.append(arg)
    if len(options.positionals) > positionals:
        extra = " ".join(options.positionals[positionals:])
        raise ProjectError(f'amplify {command}: unexpected argument "{extra}"')
    return options


class Asker:
    """Fills a missing value: the default with --yes, a question on a terminal, else a refusal."""

    def __init__(self, command: str, yes: bool, interactive: bool | None = None) -> None:
        self.command = command
        self.yes = yes
        self.interactive = sys.stdin.isatty() if interactive is None else interactive

    def value(self, parameter: str, key: str, question: str, default: T, check: Callable[[str], T]) -> T:
        if self.yes:
            return default
        if not self.interactive:
            raise ProjectError(
                f"amplify {self.command}: {parameter}: {key} is missing and there is no terminal to ask. "
                f"Give it in {parameter}, or add --yes to use the default ({default})."
            )
        while True:
            answer = input(f"? {question} ({default}) ").strip()
            if not answer:
                return default
            try:
                return check(answer)
            except ProjectError as error:
                print(f"  {error}", file=sys.stderr)


def confirmed(command: str, yes: bool, question: str, action: str) -> bool:
    """Whether to go ahead with something that cannot be undone, as the real CLI's `remove` commands decide:
    --yes goes ahead, a terminal is asked (no unless answered y/yes), and without a terminal it is refused
    naming --yes rather than guessed."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise ProjectError(f"amplify {command}: there is no terminal to confirm on; add --yes to {action}")
    try:
        answer = input(f"? {question} (y/N) ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run_command(command: str, body: Callable[[], int]) -> int:
    """Run a command body; a refusal or a failed file operation becomes one line on stderr and exit status 1."""
    try:
        return body()
    except ProjectError as error:
        message = str(error)
    except OSError as error:
        message = f"{error.filename or 'file operation'}: {error.strerror or error}"
    print(message if message.startswith("amplify ") else f"amplify {command}: {message}", file=sys.stderr)
    return 1


def help_answer(argv: list[str], help_text: str, *, needs_argument: bool = False) -> int | None:
    """The exit status when argv asks for help (0; the usage is printed), or when a command that needs an
    argument got none (2, after the usage); None when the command should run."""
    if argv and argv[0] in ("-h", "--help"):
        print(help_text)
        return 0
    if needs_argument and not argv:
        print(help_text)
        return 2
    return None


def run_only_subcommand(command: str, subcommand: str, argv: list[str], help_text: str, offered: str,
                        body: Callable[[list[str]], int]) -> int:
    """`amplify <command> <subcommand> ...` where one subcommand of the real CLI's is local: help (exit 0, or 2
    when nothing was given), a refusal naming what is offered for the others (exit 2), else the body."""
    answer = help_answer(argv, help_text, needs_argument=True)
    if answer is not None:
        return answer
    if argv[0] != subcommand:
        print(f'amplify {command} {argv[0]}: not available yet in amplify-local; "{offered}" is.', file=sys.stderr)
        return 2
    answer = help_answer(argv[1:], help_text)
    if answer is not None:
        return answer
    return run_command(f"{command} {subcommand}", lambda: body(argv[1:]))


def table(rows: list[list[str]]) -> str:
    """The real CLI's box table (`amplify status`): a header, then each row under a separator line."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]

    def line(left: str, middle: str, right: str) -> str:
        return left + middle.join("─" * (width + 2) for width in widths) + right

    def cells(row: list[str]) -> str:
        return "│" + "│".join(f" {cell.ljust(width)} " for cell, width in zip(row, widths, strict=True)) + "│"

    lines = [line("┌", "┬", "┐"), cells(rows[0])]
    for row in rows[1:]:
        lines += [line("├", "┼", "┤"), cells(row)]
    return "\n".join([*lines, line("└", "┴", "┘")])


def markdown_table(rows: list[list[str]]) -> str:
    """The real CLI's markdown table (`amplify env list`, `env get`)."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]

    def cells(row: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"

    return "\n".join([cells(rows[0]), cells(["-" * width for width in widths]), *(cells(row) for row in rows[1:])])
