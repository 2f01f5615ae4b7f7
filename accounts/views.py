from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.selectors import api_token_of
from accounts.services import api_token_create, api_token_revoke, user_set_language


@require_POST
def language_switch(request):
    """Django's set_language, plus remembering the choice on the signed-in user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    if not isinstance(response, HttpResponseRedirect) or not url_has_allowed_host_and_scheme(
        response.url, allowed_hosts={request.get_host()}
    ):
        return HttpResponseRedirect("/")
    return response


@login_required
def api_token(request):
    """The user's token for the REST API: create (or replace) it, its key shown once; revoke it; see its expiry."""
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if api_token_revoke(user=request.user):
                messages.success(request, _("Your API token was revoked: it no longer works."))
            return redirect("api_token")
        _token, new_key = api_token_create(user=request.user)
    return render(request, "accounts/api_token.html", {"token": api_token_of(request.user), "new_key": new_key})
