from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import ProfileForm
from accounts.privacy.services import latest_export
from accounts.security_log import security_event
from accounts.services import user_profile_update
from accounts.session_security import end_sessions


@login_required
@never_cache
def profile(request):
    original = {name: getattr(request.user, name) for name in ProfileForm.Meta.fields}
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        # The form already wrote its values onto the user; the service compares with the originals.
        for name, value in original.items():
            setattr(request.user, name, value)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        user_profile_update(actor=request.user, user=request.user, **changes)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        if "preferred_language" in changes:
            translation.activate(changes["preferred_language"])
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                changes["preferred_language"],
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response
    context = {
        "form": form,
        "data_export": latest_export(request.user),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": round(settings.SESSION_ABSOLUTE_TIMEOUT / 3600, 1),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def end_other_sessions(request):
    """Sign out every other browser of this person; this one stays signed in."""
    ended = end_sessions(request.user, keep_session_key=request.session.session_key)
    security_event("other_sessions_ended", request, user=request.user, count=ended)
    messages.success(request, _("You have been signed out of your other sessions."))
    return redirect("accounts:profile")
