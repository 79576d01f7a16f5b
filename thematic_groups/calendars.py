"""iCalendar for GT sessions: one event per session, the same UID for its whole life, SEQUENCE raised on change.

Times are written in Europe/Brussels with its VTIMEZONE, so calendar programs show the hour the locomotive set.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from core.outbox import Attachment
from thematic_groups.enums import SessionStatus

BRUSSELS = ZoneInfo("Europe/Brussels")
PRODID = "-//ASeT-W//Sessions des groupes thematiques//FR"


def _event(session) -> Event:
    event = Event()
    event.add("uid", f"{session.uid}@asetw")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at.astimezone(BRUSSELS))
    event.add("dtend", session.ends_at.astimezone(BRUSSELS))
    event.add("summary", f"ASeT-W {session.thematic_group.short_name} — {session.title}")
    location = session.place or session.online_url
    if location:
        event.add("location", location)
    description = [session.agenda.strip()] if session.agenda.strip() else []
    if session.online_url:
        description.append(session.online_url)
    url = settings.SITE_URL + session_url(session)
    description.append(url)
    event.add("description", "\n\n".join(description))
    event.add("url", url)
    # Calendar programs expect an organiser on an invitation; replies go to the coordination.
    organizer = vCalAddress(f"mailto:{settings.COORDINATION_EMAIL}")
    organizer.params["cn"] = vText("ASeT-W")
    event.add("organizer", organizer)
    cancelled = session.status == SessionStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def session_url(session) -> str:
    from django.urls import reverse

    return reverse("thematic_groups:session", args=[session.pk])


def calendar_for(sessions: Iterable, *, name: str, method: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Brussels")
    if method:
        calendar.add("method", method)
    for session in sessions:
        calendar.add_component(_event(session))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation(session) -> Attachment:
    """The .ics attached to the e-mails: REQUEST while the session stands, CANCEL once it is cancelled."""
    method = "CANCEL" if session.status == SessionStatus.CANCELLED else "REQUEST"
    content = calendar_for([session], name=f"ASeT-W {session.thematic_group.short_name}", method=method)
    return Attachment(
        filename="seance-asetw.ics", content=content, content_type=f"text/calendar; charset=utf-8; method={method}"
    )
