"""Shared pieces of the GT pages: breadcrumbs and the one-form page."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


def crumbs(session=None, group=None) -> list[tuple[str, str]]:
    group = group or session.thematic_group
    trail = [(_("Thematic groups"), reverse("thematic_groups:list")), (group.short_name, group.get_absolute_url())]
    if session is not None:
        trail.append((session.title, reverse("thematic_groups:session", args=[session.pk])))
    return trail


def form_page(request, form, *, title, submit, back_url, crumbs, intro=(), warning=None, extra_form=None, danger=False):
    return render(
        request,
        "thematic_groups/sessions/form_page.html",
        {
            "form": form,
            "extra_form": extra_form,
            "title": title,
            "submit": submit,
            "back_url": back_url,
            "breadcrumbs": crumbs,
            "intro": intro,
            "warning": warning,
            "danger": danger,
        },
    )
