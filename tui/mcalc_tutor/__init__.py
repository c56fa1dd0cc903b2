"""mcalc-tutor: a terminal course companion for matrix calculus and optimization.

Importing the package must stay cheap: no sympy, numpy or Textual here.
"""
import time as _time

START_TIME = _time.perf_counter()
"""When the first mcalc_tutor module was imported; the app logs startup time against it."""

__version__ = "0.1.0"
