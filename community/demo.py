"""Demo library: a few published resources per theme, one waiting for moderation, one flagged."""

from __future__ import annotations

from community import services
from community.models import Resource, Theme

DEMO_RESOURCES = [
    ("Guide de réduction des gaz anesthésiques", "guide", "decarbonation", "belgian", "desflurane, bloc opératoire"),
    ("Bilan carbone d'un hôpital : méthode pas à pas", "tool", "decarbonation", "belgian", "bilan carbone"),
    ("Clauses environnementales pour les marchés de repas", "tool", "achats-durables", "belgian", "alimentation"),
    ("Plan canicule en maison de repos : retour d'expérience", "experience", "resilience", "belgian", "canicule"),
    ("Sensibiliser les résidents au tri des déchets", "good_practice", "sensibilisation-aines", "belgian", "déchets"),
    ("Healthcare without harm : global roadmap", "study", "transversal", "international", "feuille de route"),
]


def seed_demo_events() -> None:
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from community.models import Event

    if Event.objects.exists():
        return
    brussels = ZoneInfo("Europe/Brussels")
    today = timezone.localdate()

    def working_day(days: int):
        day = today + timedelta(days=days)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    plans = [
        ("Webinaire : réduire les gaz anesthésiques", "webinar", 12, 11, 12, 100, "", "https://visio.example.org/gaz"),
        ("Atelier : clauses environnementales des marchés", "workshop", 26, 9, 12, 25, "SPW, Namur", ""),
        ("Événement annuel de l'Alliance 2027", "annual", 150, 9, 16, 80, "Palais des congrès, Namur", ""),
    ]
    for title, kind, days, start, end, capacity, place, url in plans:
        day = working_day(days)
        Event.objects.create(
            title=title,
            kind=kind,
            starts_at=datetime.combine(day, time(start), tzinfo=brussels),
            ends_at=datetime.combine(day, time(end), tzinfo=brussels),
            place=place,
            online_url=url,
            capacity=capacity,
            description="Événement de démonstration du réseau apprenant.",
        )


def seed_demo_library(*, author, organisation, moderator) -> None:
    seed_demo_events()
    if Resource.objects.exists():
        return
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for index, (title, kind, theme, origin, tags) in enumerate(DEMO_RESOURCES):
        resource = services.resource_submit(
            actor=author,
            organisation=organisation,
            themes=[themes[theme]],
            tags=tags.split(", "),
            title=title,
            summary=f"{title}. Ressource de démonstration partagée par {organisation.name}.",
            kind=kind,
            language="en" if origin == "international" else "fr",
            origin=origin,
            link=f"https://ressources.example.org/{index + 1}",
        )
        if index < len(DEMO_RESOURCES) - 1:
            resource = services.resource_publish(actor=moderator, resource=resource)
        if index == 1:
            services.resource_flag(actor=author, resource=resource, reason="Les facteurs d'émission datent de 2019.")
