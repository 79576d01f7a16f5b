"""The harmonised report template (art 7.1), one definition per version.

A campaign records the version it was opened with and every report keeps it, so a later version never
changes the questions of a year already reported. A new version is a new entry in ``TEMPLATES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from reporting.enums import Need, Obstacle, ResultTone

TEXT = "text"
CHOICE = "choice"
MULTIPLE = "multiple"


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    label: object
    help_text: object = ""
    choices: type | None = None  # a TextChoices class for CHOICE and MULTIPLE
    # Free text may identify its author: published only when the member consented (art 8).
    identifying: bool = False


@dataclass(frozen=True)
class Template:
    version: int
    action_questions: tuple[Question, ...]
    general_questions: tuple[Question, ...]

    def question(self, key: str) -> Question:
        for question in self.action_questions + self.general_questions:
            if question.key == key:
                return question
        raise KeyError(key)


TEMPLATES: dict[int, Template] = {
    1: Template(
        version=1,
        action_questions=(
            Question(
                "progress",
                TEXT,
                _("Progress this year"),
                _("What was done, what is still to identify or to do."),
                identifying=True,
            ),
            Question("obstacles", MULTIPLE, _("Obstacles met"), choices=Obstacle),
            Question("obstacles_detail", TEXT, _("Obstacles, in your words (optional)"), identifying=True),
            Question(
                "levers", TEXT, _("Levers: what helped"), _("People, tools, partnerships, decisions…"), identifying=True
            ),
            Question("needs", MULTIPLE, _("Emerging needs"), choices=Need),
            Question("needs_detail", TEXT, _("Needs, in your words (optional)"), identifying=True),
            Question("result_tone", CHOICE, _("Results so far"), choices=ResultTone),
            Question(
                "results",
                TEXT,
                _("Results, positive or not"),
                _("Negative results are as useful to the others as positive ones."),
                identifying=True,
            ),
        ),
        general_questions=(
            Question("highlights", TEXT, _("Main achievements of the year"), identifying=True),
            Question("lessons", TEXT, _("Key learnings to share with the other members"), identifying=True),
            Question("priorities", TEXT, _("Priorities for next year"), identifying=True),
            Question("general_needs", MULTIPLE, _("What would help your organisation most"), choices=Need),
            Question("comments", TEXT, _("Other comments for the coordination (optional)"), identifying=True),
        ),
    ),
}
CURRENT_VERSION = max(TEMPLATES)


def template_for(version: int) -> Template:
    return TEMPLATES[version]
