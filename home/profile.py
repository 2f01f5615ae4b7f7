"""The profile page: what each signed-in person sets about themselves (name, language, digest frequency), their
units (read-only: an administrator's), and their REST API token (created and shown once, replaced, revoked)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm
from accounts.selectors import api_token_of
from accounts.services import api_token_create, api_token_revoke, user_update_profile
from partners.selectors import constituent_organisation, managed_units, units_of


def _token_action(request, action: str):
    """Create/replace or revoke the token; the new key (or None), shown once on the page that answers."""
    if action == "revoke_token":
        if api_token_revoke(user=request.user):
            messages.success(request, _("Your API token was revoked: it no longer works."))
        return None
    _token, key = api_token_create(user=request.user)
    return key


@login_required
def profile(request):
    user = request.user
    new_key = None
    form = ProfileForm(instance=user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ("create_token", "revoke_token"):
        new_key = _token_action(request, action)
        if new_key is None:
            return redirect("profile")
    elif request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            data = form.cleaned_data
            user_update_profile(user=user, first_name=data["first_name"], last_name=data["last_name"],
                                language=data["language"], digest_frequency=data["digest_frequency"])
            if data["language"]:
                translation.activate(data["language"])
            messages.success(request, _("Your profile was saved."))
            response = redirect("profile")
            if data["language"]:
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, data["language"],
                                    max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
                                    secure=settings.LANGUAGE_COOKIE_SECURE)
            return response
    return render(request, "home/profile.html", {
        "form": form,
        "units": units_of(user).order_by("code"),
        "managed": managed_units(user).order_by("code"),
        "organisation": constituent_organisation(user),
        "token": api_token_of(user),
        "new_key": new_key,
    })
