"""Command-line entry point: one argparse tree, each subcommand living in its own module.

Command modules are imported only to register their options; heavy libraries (numpy, sympy,
Textual) are imported inside their ``run`` functions so that ``mcalc-tutor equiv`` starts fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# subcommand module (relative to mcalc_tutor) -> provides register(subparsers) and run(args) -> int
COMMAND_MODULES = (
    "checking.command",   # equiv
    "content.command",    # list, show, check, validate
    "lab.command",        # lab
    "grading.command",    # grade
    "progress.command",   # progress
)


def usage_error(message: str) -> int:
    """The contract's usage error: one line on stderr, exit code 2 (returned, for `run` functions)."""
    print(f"mcalc-tutor: error: {message}", file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2 (the contract in DESIGN.md)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"mcalc-tutor: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mcalc-tutor", description="Matrix calculus and optimization tutor.")
    parser.add_argument("--data-dir", help="where progress is stored (default: user data dir, or $MCALC_TUTOR_HOME)")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"mcalc_tutor.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("mcalc_tutor."):
                continue  # that part of the tool is not built yet
            raise
        module.register(sub)
    return parser


def _version() -> str:
    from mcalc_tutor import __version__

    return f"mcalc-tutor {__version__}"


_MATH_COMMANDS = {"check": {"--seed"}, "equiv": {"--symbols", "--layout"}}


def _protect_negative_answers(argv: list[str]) -> list[str]:
    """`mcalc-tutor check ID "-2x + 1"`: an answer may start with a minus sign; argparse would take
    it for an option. Such arguments get a leading space, removed again after parsing."""
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
    argv = _protect_negative_answers(argv)
    args = parser.parse_args(argv)
    for name in ("answer", "expected"):
        value = getattr(args, name, None)
        if isinstance(value, str) and value.startswith(" -"):
            setattr(args, name, value[1:])
    if args.command is None:
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
