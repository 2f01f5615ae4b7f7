"""A page that writes through services: `ServiceFormView`, and how a service's refusal reaches the form.

The service decides (permissions asked again, validation, locks); the page only turns its answer into the form:
a ValidationError becomes the errors of the fields it names (the others at the top of the form), a stale version
(core.locks.StaleVersionError) the form's `stale` message (`apply_service`). A page may save inline formsets beside
its form, in the same transaction: a refusal of any of its writes rolls all of them back. A refused form answers 200
with its errors, as Django's form views do.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.generic import FormView

from core.locks import StaleVersionError


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError as the form's errors: under the fields it names, else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceRefused(Exception):
    """A service refused one of a page's writes; the reason is in the form that asked for it (apply_service): the
    page's transaction is rolled back and the page shows its forms again."""


def apply_service(form, call, *, permission_in_form: bool = False):
    """Run `call` (a service) for `form` and answer its result. Its ValidationError becomes the form's errors, a
    stale version the form's `stale`, and (`permission_in_form`) its PermissionDenied an error at the top of the
    form, each then raising ServiceRefused; otherwise a PermissionDenied goes on (403)."""
    try:
        return call()
    except StaleVersionError as error:
        form.stale = error.message_dict.get("version", error.messages)
        raise ServiceRefused
    except ValidationError as error:
        add_service_errors(form, error)
        raise ServiceRefused
    except PermissionDenied as error:
        if not permission_in_form:
            raise
        form.add_error(None, str(error))
        raise ServiceRefused


@method_decorator(login_required, name="dispatch")
class ServiceFormView(FormView):
    """A form page over service calls. A subclass declares:

    - `form_class`, `template_name` and, if any, `permission` (a rules perm asked about `permission_object()`;
      refused: 403, before the form is shown or read);
    - `get_object()`: what the page is about, from the URL (kept as `self.object`; raise Http404 if missing);
    - `form_instance()`: the instance a ModelForm edits (none by default);
    - `get_formsets()`: inline formsets shown beside the form, by their name in the template (none by default);
      the form is saved only when they are all valid too;
    - `call_service(form)`: the writes, with `form.cleaned_data`, `self.formsets` and `self.request.user`, run in
      one transaction; its result is kept as `self.saved` for `get_success_url()`. A formset's write goes through
      `apply_service(its form, ...)`, so that a refusal lands in the form it concerns;
    - `success_message` (or `get_success_message()`), `stale_message`: flashed after a save / when a service finds
      the record changed since it was read;
    - `permission_refusal_in_form`: a service's PermissionDenied shown in the form instead of a 403.
    """

    permission: str | None = None
    success_message = None
    stale_message = None
    permission_refusal_in_form = False
    object = None
    saved = None

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.permission and not request.user.has_perm(self.permission, self.permission_object()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return None

    def permission_object(self):
        return None

    def form_instance(self):
        return None

    def get_formsets(self) -> dict:
        return {}

    @cached_property
    def formsets(self) -> dict:
        return self.get_formsets()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = self.form_instance()
        if instance is not None:
            kwargs["instance"] = instance
        return kwargs

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        # Every form is validated (not only up to the first invalid one), so that the page shows every error.
        valid = [form.is_valid(), *(formset.is_valid() for formset in self.formsets.values())]
        return self.form_valid(form) if all(valid) else self.form_invalid(form)

    def call_service(self, form):
        raise NotImplementedError

    def get_success_message(self):
        return self.success_message

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.saved = apply_service(form, lambda: self.call_service(form),
                                           permission_in_form=self.permission_refusal_in_form)
        except ServiceRefused:
            if getattr(form, "stale", None) and self.stale_message:
                messages.error(self.request, self.stale_message)
            return self.form_invalid(form)
        message = self.get_success_message()
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stale"] = getattr(context["form"], "stale", None)
        for name, formset in self.formsets.items():
            context.setdefault(name, formset)
        return context
