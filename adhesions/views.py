from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from adhesions import selectors, services, signing
from adhesions.forms import SignForm, SubmitForm
from adhesions.models import Adhesion, SignatureRequest
from adhesions.review import review_sections
from adhesions.steps import missing_steps, next_step, step_get, steps_for
from core.uploads import attachment_response


def _editable_or_404(request, pk: int) -> Adhesion:
    adhesion = selectors.adhesion_get_for_user(request.user, pk)
    if not rules.test_rule("adhesions.edit_adhesion", request.user, adhesion):
        raise Http404
    return adhesion


@login_required
@never_cache
def start(request):
    """The entry point: the person's adhesion forms, to resume, and a button to start one."""
    if request.method == "POST":
        adhesion = selectors.empty_draft_for(request.user) or services.adhesion_start(applicant=request.user)
        return redirect("adhesions:step", pk=adhesion.pk, slug=steps_for(adhesion.organisation_type)[0].slug)
    return render(
        request,
        "adhesions/start.html",
        {
            "adhesions": selectors.adhesions_for_applicant(request.user),
            "current": selectors.open_adhesion_for(request.user),
        },
    )


@login_required
@never_cache
def detail(request, pk: int):
    adhesion = selectors.adhesion_get_for_user(request.user, pk)
    steps = steps_for(adhesion.organisation_type)
    missing_list = missing_steps(adhesion)
    missing = {step.slug for step in missing_list}
    return render(
        request,
        "adhesions/detail.html",
        {
            "adhesion": adhesion,
            "steps": [(step, step.slug not in missing) for step in steps],
            "complete": not missing,
            "first_missing": missing_list[0] if missing_list else None,
            "signatures": selectors.current_signatures(adhesion),
            "can_edit": rules.test_rule("adhesions.edit_adhesion", request.user, adhesion),
        },
    )


@login_required
@never_cache
def step(request, pk: int, slug: str):
    adhesion = _editable_or_404(request, pk)
    current = step_get(slug)
    if current is None:
        raise Http404
    if not current.applies_to(adhesion.organisation_type) and slug != "organisation":
        messages.info(request, _("This step does not apply to your type of organisation."))
        return redirect("adhesions:detail", pk=adhesion.pk)
    form_kwargs = {"adhesion": adhesion, "initial": current.form_class.initial_from(adhesion.section(current.section))}
    if request.method == "POST":
        form = current.form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                adhesion = services.adhesion_save_step(
                    adhesion=adhesion,
                    step=current,
                    answers=form.answers(),
                    actor=request.user,
                    uploaded_file=form.cleaned_data.get("file"),
                    remove_file=bool(form.cleaned_data.get("remove_file")),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                following = next_step(adhesion, current)
                if "save_and_quit" in request.POST:
                    messages.success(request, _("Your answers are saved. You can come back at any time."))
                    return redirect("adhesions:detail", pk=adhesion.pk)
                previous = _previous(steps_for(adhesion.organisation_type), current)
                if "save_and_back" in request.POST and previous is not None:
                    return redirect("adhesions:step", pk=adhesion.pk, slug=previous.slug)
                # Once every step is done, "continue" leads back to the answers to check.
                if following is None or not missing_steps(adhesion):
                    return redirect("adhesions:review", pk=adhesion.pk)
                return redirect("adhesions:step", pk=adhesion.pk, slug=following.slug)
        elif request.FILES and "file" in form.fields and not form.has_error("file"):
            # Browsers do not keep a chosen file when the page comes back with errors.
            form.add_error("file", _("Choose the file again: it cannot be kept while the form has errors."))
    else:
        form = current.form_class(**form_kwargs)
    steps = steps_for(adhesion.organisation_type)
    return render(
        request,
        "adhesions/step.html",
        {
            "adhesion": adhesion,
            "step": current,
            "form": form,
            "steps": steps,
            "step_number": [s.slug for s in steps].index(current.slug) + 1 if current in steps else 1,
            "previous": _previous(steps, current),
        },
    )


def _previous(steps, current):
    slugs = [s.slug for s in steps]
    if current.slug in slugs and slugs.index(current.slug) > 0:
        return steps[slugs.index(current.slug) - 1]
    return None


@login_required
@never_cache
def review(request, pk: int):
    adhesion = _editable_or_404(request, pk)
    form = SubmitForm(request.POST or None)
    missing = missing_steps(adhesion)
    if request.method == "POST" and form.is_valid():
        try:
            services.adhesion_submit(adhesion=adhesion, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your form has been sent. Each signatory has received an e-mail with a personal link to sign."),
            )
            return redirect("adhesions:detail", pk=adhesion.pk)
    return render(
        request,
        "adhesions/review.html",
        {"adhesion": adhesion, "sections": review_sections(adhesion), "form": form, "missing": missing},
    )


@login_required
@never_cache
def signatures(request, pk: int):
    adhesion = selectors.adhesion_get_for_user(request.user, pk)
    history = adhesion.signatures.select_related("thematic_group").order_by("-document_version", "role", "created_at")
    return render(request, "adhesions/signatures.html", {"adhesion": adhesion, "history": history})


@login_required
@never_cache
def document(request, pk: int):
    adhesion = selectors.adhesion_get_for_user(request.user, pk)
    if not adhesion.document:
        raise Http404
    return _pdf_response(adhesion)


def _pdf_response(adhesion: Adhesion) -> FileResponse:
    return attachment_response(
        adhesion.document,
        download_name=f"adhesion-{adhesion.reference}-v{adhesion.version}.pdf",
        content_type="application/pdf",
    )


@login_required
@never_cache
def initiatives_file(request, pk: int):
    adhesion = selectors.adhesion_get_for_user(request.user, pk)
    if not adhesion.initiatives_file:
        raise Http404
    return attachment_response(
        adhesion.initiatives_file,
        download_name=adhesion.initiatives_file_name or "piece-jointe",
        content_type="application/octet-stream",
    )


@login_required
@require_POST
def signature_resend(request, pk: int, signature_pk: int):
    adhesion = selectors.adhesion_get_for_user(request.user, pk)
    if not (rules.test_rule("adhesions.manage_adhesions", request.user) or adhesion.applicant_id == request.user.pk):
        raise Http404
    signature = adhesion.signatures.filter(pk=signature_pk).first()
    if signature is None:
        raise Http404
    try:
        services.signature_resend(signature=signature, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A new link has been sent to %(email)s.") % {"email": signature.email})
    return redirect("adhesions:detail", pk=adhesion.pk)


# --- Signing, without an account ----------------------------------------------------------------------


def _signature_for_link(signature_id: int) -> SignatureRequest | None:
    return SignatureRequest.objects.select_related("adhesion", "thematic_group").filter(pk=signature_id).first()


def _link_problem_page(request, problem: signing.LinkProblem, signature: SignatureRequest | None):
    status = (
        410
        if problem
        in {signing.LinkProblem.EXPIRED, signing.LinkProblem.USED, signing.LinkProblem.VOID, signing.LinkProblem.CLOSED}
        else 404
    )
    if problem == signing.LinkProblem.FORM_CHANGING:
        status = 409
    return render(
        request,
        "adhesions/link_problem.html",
        {"problem": problem.value, "signature": signature if problem == signing.LinkProblem.USED else None},
        status=status,
    )


@never_cache
def sign(request, signature_id: int, token: str):
    signature = _signature_for_link(signature_id)
    problem = signing.link_problem(signature, token)
    if problem is not None:
        return _link_problem_page(request, problem, signature)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_sign(
                signature_id=signature.pk,
                token=token,
                typed_name=form.cleaned_data["typed_name"],
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except services.SignatureRefused as exc:
            if exc.code == "name":
                form.add_error("typed_name", exc)
            else:
                return _link_problem_page(request, signing.LinkProblem(exc.code), signature)
        else:
            return redirect("adhesions:signed", signature_id=signature.pk)
    adhesion = signature.adhesion
    return render(
        request,
        "adhesions/sign.html",
        {
            "signature": signature,
            "adhesion": adhesion,
            "form": form,
            "sections": review_sections(adhesion),
            "organisation_name": adhesion.organisation.name if adhesion.organisation_id else adhesion.organisation_name,
            "document_url": reverse("adhesions:sign_document", args=[signature.pk, token]),
        },
    )


@never_cache
def sign_document(request, signature_id: int, token: str):
    signature = _signature_for_link(signature_id)
    problem = signing.link_problem(signature, token)
    if problem is not None or not (signature.own_document or signature.adhesion.document):
        return _link_problem_page(request, problem or signing.LinkProblem.UNKNOWN, signature)
    if signature.own_document:
        return attachment_response(
            signature.own_document, download_name="acceptation-delegue-gt.pdf", content_type="application/pdf"
        )
    return _pdf_response(signature.adhesion)


@never_cache
def signed(request, signature_id: int):
    """The thank-you page; it shows nothing that the signer did not already see."""
    return render(request, "adhesions/signed.html", {})
