"""Command-line entry point: one argparse tree, one module per command in this package.

Each command module provides ``register(subparsers)`` and sets ``run(args) -> int`` as the parser
default. Command modules are imported only to register their options; heavy libraries (numpy,
sympy, Textual) are imported inside their ``run`` functions so that ``mcalc-tutor equiv`` starts
fast. Nothing below this package imports it (an import-linter contract in pyproject.toml).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from ._common import (
    BANK_COMMANDS,
    _command_of,
    _Parser,
    activate_banks,
    add_bank_option,
    protect_negative_answers,
    unprotect_answers,
    usage_error,
)

__all__ = ["main", "build_parser", "usage_error"]

# command modules (in mcalc_tutor.cli), in the order `--help` lists their commands
COMMAND_MODULES = (
    "equiv",       # equiv
    "exercises",   # list, show, check, validate
    "lab",         # lab
    "grade",       # grade
    "key",         # key
    "progress",    # progress
    "review",      # review
    "serve",       # serve
    "steps",       # steps
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mcalc-tutor", description="Matrix calculus and optimization tutor.")
    parser.add_argument("--data-dir", help="where progress is stored (default: user data dir, or $MCALC_TUTOR_HOME)")
    add_bank_option(parser, dest="app_bank")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    for name in BANK_COMMANDS:
        add_bank_option(sub.choices[name])
    return parser


def _version() -> str:
    from mcalc_tutor import __version__

    return f"mcalc-tutor {__version__}"


def _app_only_parser() -> argparse.ArgumentParser:
    """Plain `mcalc-tutor [--data-dir D] [--bank DIR]…` starts the app: no need to register every
    subcommand."""
    parser = _Parser(prog="mcalc-tutor")
    parser.add_argument("--data-dir")
    add_bank_option(parser, dest="app_bank")
    parser.set_defaults(command=None)
    return parser


def _starts_app(argv: list[str]) -> bool:
    """Only the app's own options (--data-dir, --bank), and no command or --help/--version."""
    return _command_of(argv) is None and all(
        a.split("=", 1)[0] in ("--data-dir", "--bank") or (i > 0 and argv[i - 1] in ("--data-dir", "--bank"))
        for i, a in enumerate(argv))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _app_only_parser() if _starts_app(argv) else build_parser()
    args = parser.parse_args(protect_negative_answers(argv))
    unprotect_answers(args)
    problem = activate_banks(args)
    if problem:
        return usage_error(problem)
    if args.command is None:
        # no terminal and no other driver (TEXTUAL_DRIVER: e.g. `serve`'s web driver): say so, do not hang
        if not (sys.stdin.isatty() and sys.stdout.isatty()) and not os.environ.get("TEXTUAL_DRIVER"):
            print("mcalc-tutor: the app needs a terminal; try `mcalc-tutor --help`", file=sys.stderr)
            return 2
        from mcalc_tutor.app.main import run_app

        return run_app(data_dir=args.data_dir)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
