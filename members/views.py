import csv
from collections import Counter

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.privacy.consent import consent_history
from accounts.roles import member_organisation_ids
from adhesions.enums import SignatureStatus
from adhesions.models import SignatureRequest
from community.selectors import organisation_contributions
from core.uploads import attachment_response
from members import lifecycle, selectors
from members.enums import OrganisationRoleType, OrganisationStatus, OrganisationType
from members.forms import OrganisationProfileForm, PersonForm, WithdrawalForm
from members.models import Organisation
from members.selectors import organisation_get_for_user

SEARCH_MAX_LENGTH = 100
SIGNATORIES_PER_PAGE = 200
CSV_FIELDS = ("name", "enterprise_number", "type", "type_precision", "city", "postal_code", "member_since")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _organisation_to_manage(request, pk: int) -> Organisation:
    """The organisation, for its legal representative, its contact point or the coordination. Anyone else,
    its delegates included, gets the 404 the portal answers for every object outside one's scope."""
    organisation = organisation_get_for_user(request.user, pk)
    if not rules.test_rule("members.manage_organisation", request.user, organisation):
        raise Http404
    return organisation


def _show_refusal(form, error: ValidationError) -> None:
    """A service's refusal goes beside the field it is about, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _pending_replacements(organisation: Organisation):
    """Delegate replacements waiting for the new delegate's signature (form §6.2)."""
    return (
        SignatureRequest.objects.filter(
            adhesion__organisation=organisation,
            purpose=SignatureRequest.Purpose.DELEGATE_REPLACEMENT,
            status=SignatureStatus.PENDING,
        )
        .select_related("thematic_group", "replaces__user")
        .order_by("thematic_group__number")
    )


@login_required
@never_cache
def organisation_detail(request, pk: int):
    organisation = organisation_get_for_user(request.user, pk)
    context = {
        "organisation": organisation,
        "can_manage": rules.test_rule("members.manage_organisation", request.user, organisation),
        "pending_replacements": _pending_replacements(organisation),
        "adhesion": _confirmed_adhesion(organisation),
        "contributions": organisation_contributions(organisation),
        # The coordination sees the page too, but only the organisation's own people deposit for it.
        "can_deposit": organisation.pk in member_organisation_ids(request.user),
        "consent_history": consent_history(organisation),
    }
    return render(request, "members/organisation_detail.html", context)


@login_required
@never_cache
def organisation_edit(request, pk: int):
    organisation = _organisation_to_manage(request, pk)
    form = OrganisationProfileForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("members:organisation_detail", pk=organisation.pk)
        try:
            lifecycle.organisation_profile_update(organisation=organisation, actor=request.user, **changes)
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("The organisation's details have been updated."))
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(request, "members/organisation_edit.html", {"organisation": organisation, "form": form})


@login_required
@never_cache
def contact_point_change(request, pk: int):
    organisation = _organisation_to_manage(request, pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.contact_point_change(organisation=organisation, actor=request.user, person=form.cleaned_data)
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("The contact point has been changed and the coordination has been informed."))
            still_involved = request.user.is_coordinator or organisation.roles.filter(user=request.user).exists()
            if not still_involved:
                # Whoever hands over the contact point may have no other role left in the organisation.
                return redirect("home")
            return redirect("members:organisation_detail", pk=organisation.pk)
    current = next((role for role in organisation.roles.all() if role.role == OrganisationRoleType.CONTACT_POINT), None)
    return render(
        request, "members/contact_point_change.html", {"organisation": organisation, "form": form, "current": current}
    )


@login_required
@never_cache
def delegate_replace(request, pk: int, group: str):
    organisation = _organisation_to_manage(request, pk)
    current = next(
        (
            role
            for role in organisation.roles.all()
            if role.role == OrganisationRoleType.DELEGATE and role.thematic_group.slug == group
        ),
        None,
    )
    if current is None:  # no seat in this group: nothing to replace
        raise Http404
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.delegate_replacement_request(
                organisation=organisation, actor=request.user, group=current.thematic_group, person=form.cleaned_data
            )
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            new_name = f"{form.cleaned_data['first_name']} {form.cleaned_data['last_name']}"
            messages.success(
                request,
                _(
                    "%(name)s will receive an e-mail to sign the acceptance of the role. "
                    "%(current)s remains the delegate until then."
                )
                % {"name": new_name, "current": current.user},
            )
            return redirect("members:organisation_detail", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "current": current,
        "group": current.thematic_group,
        "pending": _pending_replacements(organisation).filter(thematic_group=current.thematic_group).first(),
    }
    return render(request, "members/delegate_replace.html", context)


@login_required
@never_cache
def withdrawal_request(request, pk: int):
    organisation = _organisation_to_manage(request, pk)
    # Only an active member can ask; once asked, the page shows where the withdrawal stands instead.
    form = WithdrawalForm(request.POST or None) if organisation.status == OrganisationStatus.ACTIVE else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            lifecycle.withdrawal_request(
                organisation=organisation,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
            )
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(
                request, _("The withdrawal request has been sent to the coordination, which will confirm it by e-mail.")
            )
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(request, "members/withdrawal_request.html", {"organisation": organisation, "form": form})


def _search_query(request) -> str:
    return request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]


def signatories(request):
    query = _search_query(request)
    index = selectors.signatory_index(query)
    # Thousands of members make a page too long to read and to build: a page shows a slice of the list,
    # still under the headings of the types, each with the count of the whole list.
    page = Paginator(index, SIGNATORIES_PER_PAGE).get_page(request.GET.get("page"))
    organisations = selectors.signatories_by_id([pk for pk, _type in page.object_list])
    per_type = Counter(kind for _pk, kind in index)
    groups = [
        {
            "label": label,
            "organisations": members,
            "count": per_type[value],
            "show_precision": value == OrganisationType.OTHER,
        }
        for value, label in OrganisationType.choices
        if (members := [organisation for organisation in organisations if organisation.type == value])
    ]
    context = {"query": query, "groups": groups, "total": len(index), "page": page}
    return render(request, "members/signatories.html", context)


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def signatories_csv(request):
    organisations = selectors.signatories(_search_query(request))
    filename = f"signataires-asetw-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # without the BOM, Excel reads UTF-8 as Windows-1252
    writer = csv.writer(response, delimiter=";")  # Excel in Belgium expects semicolons
    writer.writerow([capfirst(Organisation._meta.get_field(name).verbose_name) for name in CSV_FIELDS])
    for organisation in organisations:
        row = (
            organisation.name,
            organisation.enterprise_number_display,
            organisation.get_type_display(),
            organisation.type_precision,
            organisation.city,
            organisation.postal_code,
            organisation.member_since.isoformat() if organisation.member_since else "",
        )
        writer.writerow([_csv_cell(value) for value in row])
    return response


@login_required
@require_POST
def withdrawal_cancel(request, pk: int):
    organisation = _organisation_to_manage(request, pk)
    try:
        lifecycle.withdrawal_cancel(organisation=organisation, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("members:withdrawal_request", pk=organisation.pk)
    messages.success(request, _("The withdrawal request is cancelled: the organisation remains a member."))
    return redirect("members:organisation_detail", pk=organisation.pk)


def _confirmed_adhesion(organisation):
    from adhesions.enums import AdhesionStatus
    from adhesions.models import Adhesion

    return (
        Adhesion.objects.filter(organisation=organisation, status=AdhesionStatus.CONFIRMED)
        .order_by("-decided_at", "-pk")
        .first()
    )


@login_required
@never_cache
def adhesion_document(request, pk: int):
    """The signed adhesion form, for the organisation's own people."""
    organisation = organisation_get_for_user(request.user, pk)
    adhesion = _confirmed_adhesion(organisation)
    if adhesion is None or not adhesion.document:
        raise Http404
    return attachment_response(
        adhesion.document,
        download_name=f"formulaire-adhesion-{adhesion.reference}-v{adhesion.version}.pdf",
        content_type="application/pdf",
    )


@login_required
@never_cache
def membership_certificate(request, pk: int):
    from adhesions.documents import membership_certificate_pdf

    organisation = organisation_get_for_user(request.user, pk)
    adhesion = _confirmed_adhesion(organisation)
    if adhesion is None or organisation.member_since is None:
        raise Http404
    content = membership_certificate_pdf(
        organisation, member_since=organisation.member_since, reference=adhesion.reference
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-adhesion-{adhesion.reference}.pdf"'
    return response
