from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.forms import ProfileForm
from accounts.services import user_profile_update


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
    return render(request, "accounts/profile.html", {"form": form})
