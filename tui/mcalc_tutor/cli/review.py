"""``mcalc-tutor review``: the spaced-review cards due now (parts that went wrong, needed hints or
the solution), as lines or ``--json``. Reads the progress store only; never changes it."""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "review",
        help="the review cards due now (or --json)",
        description="List the parts due for spaced review: the id (exercise:part), the due time "
                    "(UTC) and the card's FSRS state. Answer them in the app's Review screen (r on the map).",
    )
    parser.add_argument("--json", action="store_true", help="print the due cards as one JSON document")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..progress.store import open_store, resolve_data_dir

    store, notice = open_store(resolve_data_dir(getattr(args, "data_dir", None)))
    if notice:
        print(f"mcalc-tutor: {notice}", file=sys.stderr)
    try:
        due = [{"id": f"{c['exercise']}:{c['part']}", **c} for c in store.due_cards()]
        total = len(store.review_cards())
    finally:
        store.close()
    if args.json:
        json.dump({"due": due, "cards": total}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not due:
        print(f"Nothing is due for review ({total} card{'' if total == 1 else 's'} in all).")
        return 0
    width = max(len(card["id"]) for card in due)
    for card in due:
        print(f"{card['id']:<{width}}  due {card['due']}  {card['state']}")
    print(f"{len(due)} due of {total} card{'' if total == 1 else 's'}.")
    return 0
