"""What the lab's chart tests share: a stand-in for plotext that records every call, and the
pattern of the colour codes to strip from a drawn chart."""
from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class RecordingPlt:
    """Stands in for plotext or a widget's .plt and remembers every call."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))
        return record

    def named(self, name):
        return [c for c in self.calls if c[0] == name]
