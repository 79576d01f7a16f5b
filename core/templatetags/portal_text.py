from itertools import groupby

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_BULLETS = ("- ", "• ")


def _is_item(line: str) -> bool:
    return line.startswith(_BULLETS)


@register.filter
def rich_paragraphs(text: str) -> SafeString:
    """Plain text to HTML: blank lines separate paragraphs, lines starting with "- " form a list.

    Everything is escaped; only the p, ul and li tags are added.
    """
    html: list[SafeString] = []
    for block in str(text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        for is_list, run in groupby(lines, key=_is_item):
            run = list(run)
            if is_list:
                items = ((line[2:].strip(),) for line in run)
                html.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", items)))
            else:
                html.append(format_html("<p>{}</p>", " ".join(run)))
    return mark_safe("".join(html))  # noqa: S308 - every piece above went through format_html


@register.simple_tag
def colon() -> str:
    """The colon after a label: French puts a (narrow, unbreakable) space before it, the other languages do not."""
    return "\u202f:" if (get_language() or "").startswith("fr") else ":"
