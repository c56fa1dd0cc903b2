"""What every command shares: the contract's usage error, the argparse parser that reports one,
verdict output, and the guard that lets an answer start with a minus sign.

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
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in _MATH_COMMANDS:
        return argv
    takes_value = _MATH_COMMANDS[command] | {"--data-dir"}
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


def unprotect_answers(args: argparse.Namespace) -> None:
    """Undo `protect_negative_answers` on the parsed answer arguments."""
    for name in _ANSWER_ARGUMENTS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value.startswith(" -"):
            setattr(args, name, value[1:])
