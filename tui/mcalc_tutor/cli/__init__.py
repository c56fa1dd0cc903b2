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

from ._common import _Parser, protect_negative_answers, unprotect_answers, usage_error

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
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def _version() -> str:
    from mcalc_tutor import __version__

    return f"mcalc-tutor {__version__}"


def _app_only_parser() -> argparse.ArgumentParser:
    """Plain `mcalc-tutor [--data-dir D]` starts the app: no need to register every subcommand."""
    parser = _Parser(prog="mcalc-tutor")
    parser.add_argument("--data-dir")
    parser.set_defaults(command=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    starts_app = argv in ([], ["--data-dir"]) or (len(argv) == 2 and argv[0] == "--data-dir") or \
        (len(argv) == 1 and argv[0].startswith("--data-dir="))
    parser = _app_only_parser() if starts_app else build_parser()
    args = parser.parse_args(protect_negative_answers(argv))
    unprotect_answers(args)
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
