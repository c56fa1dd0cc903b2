"""tomllib on Python 3.11+, the tomli backport (same API) on 3.10 — one import for the package."""
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the 3.10 CI leg
    import tomli as tomllib

__all__ = ["tomllib"]
