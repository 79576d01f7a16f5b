"""The convention's text, with anchors on its articles so that other pages can point to them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

_HEADING = re.compile(r"<h2>(.*?)</h2>")


@dataclass(frozen=True)
class Heading:
    anchor: str
    text: str


@lru_cache(maxsize=1)
def convention_with_anchors() -> tuple[SafeString, tuple[Heading, ...]]:
    text = render_to_string("core/convention_text.html")
    headings: list[Heading] = []

    def anchor(match: re.Match) -> str:
        label = strip_tags(match.group(1))
        slug = slugify(label)[:60] or f"section-{len(headings) + 1}"
        headings.append(Heading(slug, label))
        return f'<h2 id="{slug}" class="h4 mt-4">{match.group(1)}</h2>'

    # The text is the project's own template: it is trusted markup.
    return mark_safe(_HEADING.sub(anchor, text)), tuple(headings)  # noqa: S308
