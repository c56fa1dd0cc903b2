"""What every command shares: the contract's usage error, the argparse parser that reports one,
the `--bank` option, verdict output, and the guard that lets an answer start with a minus sign.

Nothing here imports numpy, sympy or Textual: every CLI call imports this module.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from ..checking.verdict import Verdict

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
    """What each command module's ``register`` adds its parser to."""


def usage_error(message: str) -> int:
    """The contract's usage error: one line on stderr, exit code 2 (returned, for `run` functions)."""
    print(f"mcalc-tutor: error: {message}", file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2 (the contract in DESIGN.md)."""

    def error(self, message: str) -> NoReturn:  # noqa: D401 - argparse API
        self.exit(2, f"mcalc-tutor: error: {message}\n")


# the commands that read exercises: each takes --bank (added once, by add_bank_option)
BANK_COMMANDS = ("list", "show", "check", "validate", "grade", "key", "progress", "serve")
_BANK_HELP = ("add a course bank: a folder with exercises/<section>/<id>.toml, solutions/ and sources.toml "
              "(repeatable; MCALC_TUTOR_BANK adds a list of them too; see exercises/README.md)")


def add_bank_option(parser: argparse.ArgumentParser, dest: str = "bank") -> None:
    """`--bank DIR`, repeatable: the one definition every command that reads exercises shares."""
    parser.add_argument("--bank", action="append", default=[], dest=dest, metavar="DIR", help=_BANK_HELP)


def activate_banks(args: argparse.Namespace) -> str | None:
    """Make MCALC_TUTOR_BANK's folders, then those given with --bank (before or after the command),
    this process's course banks. Returns a usage error (a missing folder, an id clash) or None."""
    from ..content.banks import BankError, banks_from_env, resolve_banks, use_banks

    folders = [*banks_from_env(), *getattr(args, "app_bank", []), *getattr(args, "bank", [])]
    try:
        use_banks(resolve_banks(folders))
    except BankError as exc:
        use_banks(())
        return str(exc)
    return None


def emit(verdict: Verdict, as_json: bool) -> int:
    """Print a verdict (text or JSON); invalid input also goes to stderr. Returns the exit code."""
    if as_json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
        if verdict.status == "invalid":
            print(verdict.message, file=sys.stderr)
    elif verdict.status == "invalid":
        print(f"invalid: {verdict.message}", file=sys.stderr)
        if verdict.caret:
            print(verdict.caret, file=sys.stderr)
    else:
        print(verdict.render())
    return verdict.exit_code


# command -> its options that take a value (besides the global --data-dir)
_MATH_COMMANDS = {"check": {"--seed"}, "equiv": {"--symbols", "--layout"}, "steps": {"--symbols", "--differentials"}}
_ANSWER_ARGUMENTS = ("answer", "expected")


def protect_negative_answers(argv: list[str]) -> list[str]:
    """`mcalc-tutor check ID "-2x + 1"`: an answer may start with a minus sign; argparse would take
    it for an option. Such arguments get a leading space, removed by `unprotect_answers`."""
    command = _command_of(argv)
    if command not in _MATH_COMMANDS:
        return argv
    takes_value = _MATH_COMMANDS[command] | {"--data-dir", "--bank"}
    out, expect_value = [], False
    for arg in argv:
        if expect_value:
            out.append(arg)
            expect_value = False
            continue
        name = arg.split("=", 1)[0]
        if arg.startswith("-") and len(arg) > 1 and arg != "--" and \
                name not in takes_value | {"--json", "-h", "--help", "--version"}:
            out.append(" " + arg)
            continue
        expect_value = name in takes_value and "=" not in arg
        out.append(arg)
    return out


_GLOBAL_VALUE_OPTIONS = ("--data-dir", "--bank")


def _command_of(argv: list[str]) -> str | None:
    """The subcommand: the first argument that is neither an option nor a global option's value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif not arg.startswith("-"):
            return arg
        else:
            skip = arg in _GLOBAL_VALUE_OPTIONS
    return None


def unprotect_answers(args: argparse.Namespace) -> None:
    """Undo `protect_negative_answers` on the parsed answer arguments."""
    for name in _ANSWER_ARGUMENTS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value.startswith(" -"):
            setattr(args, name, value[1:])
