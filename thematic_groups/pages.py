"""Shared pieces of the GT pages: breadcrumbs, the one-form page, refusals, stored files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
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


def show_refusal(request, exc: ValidationError, form=None) -> None:
    """A service's refusal, next to the fields it names when there is a form, else as a page message."""
    if form is not None and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return
    for message in exc.messages:
        if form is not None:
            form.add_error(None, message)
        else:
            messages.error(request, message)


NOT_DONE = object()


def apply_form(request, form, action, *, success: str):
    """On a valid POST, run ``action(cleaned_data)`` (a service call) and say ``success``; return its result.

    ``NOT_DONE`` when there is nothing to do yet or the service refused: its reasons then stand on the form,
    which keeps what was typed.
    """
    if request.method != "POST" or not form.is_valid():
        return NOT_DONE
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        show_refusal(request, exc, form)
        return NOT_DONE
    messages.success(request, success)
    return result


def stored_file_response(field_file, download_name: str):
    """A member's uploaded file, as a download; the caller has checked who may have it."""
    from core.uploads import attachment_response

    # Without a recorded name, the stored one: generated, so safe to send.
    name = download_name or field_file.name.rsplit("/", 1)[-1]
    return attachment_response(field_file, download_name=name, content_type="application/octet-stream")
