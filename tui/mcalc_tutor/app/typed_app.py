"""Typed access to the tutor's App from a widget, a screen or a command provider, so that mypy
checks every use of `store`, `course` and the app's navigation (Textual types `.app` as a plain
`App`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App

    from .app import TutorApp

__all__ = ["tutor_app"]


class _InApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


def tutor_app(node: _InApp) -> TutorApp:
    """The running TutorApp that `node` belongs to."""
    return cast("TutorApp", node.app)
