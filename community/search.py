"""French full-text search of the library: PostgreSQL's own search in production, a simpler one on SQLite.

Both ignore accents, case and plural endings, so "décarbonation", "decarbonation" and "Décarbonations" find
the same resources. PostgreSQL uses a "french_unaccent" configuration (unaccent, then the French stemmer),
created by the app's migration.
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, QuerySet

CONFIG = "french_unaccent"
_WORD = re.compile(r"[0-9a-z]+")


def uses_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _stem(word: str) -> str:
    # The French plurals that matter in titles: "-aux" (hôpitaux → hôpital), then "-s" and "-x".
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def normalise(text: str) -> list[str]:
    # Single letters are the elided articles and pronouns (l'hôpital, d'énergie): not words to search for.
    return [_stem(word) for word in _WORD.findall(_plain(text)) if len(word) > 1]


def search_text(*parts: str) -> str:
    """The stored text the SQLite search reads: normalised words between spaces."""
    return " " + " ".join(word for part in parts for word in normalise(part)) + " "


def vector():
    return SearchVector("title", weight="A", config=CONFIG) + SearchVector("search_text", weight="B", config=CONFIG)


def apply(resources: QuerySet, query: str) -> QuerySet:
    """Keep the resources matching every word of ``query``, best first on PostgreSQL."""
    query = (query or "").strip()
    if not query:
        return resources
    if uses_postgresql():
        search = SearchQuery(query, config=CONFIG, search_type="websearch")
        return (
            resources.annotate(rank=SearchRank(F("search_vector"), search))
            .filter(search_vector=search)
            .order_by("-rank", "-published_at")
        )
    for word in normalise(query):
        resources = resources.filter(search_text__contains=f" {word}")
    return resources
