"""Command palette provider: jump to any exercise by its title or its id."""
from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .course import section_title
from .typed_app import tutor_app

__all__ = ["ExerciseProvider"]


class ExerciseProvider(Provider):
    """Every exercise of the course, matched on "title (id)"."""

    def _candidates(self):
        app = tutor_app(self)
        course = getattr(app, "course", None)
        if course is None:
            return []
        return [(f"{entry.title} ({entry.id})", entry) for entry in course.entries]

    def _open(self, exercise_id: str) -> None:
        tutor_app(self).open_exercise(exercise_id)

    async def discover(self) -> Hits:
        for text, entry in self._candidates():
            yield DiscoveryHit(text, partial(self._open, entry.id), help=section_title(entry.section))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, entry in self._candidates():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._open, entry.id), text=text,
                          help=f"Open exercise · {section_title(entry.section)}")
