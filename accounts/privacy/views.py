"""The person's pages on their own data, and the public privacy notice."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import DataExport
from accounts.privacy import services
from accounts.privacy.forms import AccountCloseForm
from core.uploads import attachment_response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_data(request):
    """The copy of one's data: ask for it, follow its preparation, download it."""
    if request.method == "POST":
        services.data_export_request(user=request.user)
        messages.success(request, _("Your data are being gathered. You will receive an e-mail when the file is ready."))
        return redirect("accounts:my_data")
    context = {"data_export": services.latest_export(request.user), "export_days": settings.PRIVACY_EXPORT_DAYS}
    if request.headers.get("HX-Request"):
        return render(request, "accounts/_data_export_status.html", context)
    return render(request, "accounts/my_data.html", context)


@login_required
@never_cache
def my_data_download(request, pk: int):
    """Only the owner, signed in, before the file expires; anybody else gets a 404."""
    data_export = get_object_or_404(DataExport, pk=pk, user=request.user)
    if not data_export.is_downloadable:
        raise Http404
    return attachment_response(
        data_export.file,
        download_name=f"asetw-my-data-{data_export.finished_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_close(request):
    form = AccountCloseForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        services.account_close(user=request.user)
        # Not logout(): its sign-out event would write the old address and this browser back into the log.
        request.session.flush()
        request.user = AnonymousUser()
        messages.success(request, _("Your account is closed and your personal data have been anonymised."))
        return redirect("landing")
    context = {
        "form": form,
        "organisations": services.current_member_organisations(request.user),
        "without_manager": services.organisations_left_without_manager(request.user),
    }
    return render(request, "accounts/account_close.html", context)


def privacy_notice(request):
    return render(
        request,
        "accounts/privacy_notice.html",
        {
            "controller_name": settings.PRIVACY_CONTROLLER_NAME,
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "export_days": settings.PRIVACY_EXPORT_DAYS,
            "retention_years": round(settings.PRIVACY_RETENTION_DAYS_AFTER_WITHDRAWAL / 365, 1),
        },
    )
