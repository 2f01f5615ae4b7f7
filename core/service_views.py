"""A page that writes through one service: `ServiceFormView`, and how a service's refusal reaches the form.

The service decides (permissions asked again, validation, locks); the page only turns its answer into the form:
a ValidationError becomes the errors of the fields it names (the others at the top of the form), a stale version
(core.locks.StaleVersionError) the form's `stale` message. A refused form answers 200 with its errors, as Django's
form views do.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.generic import FormView

from core.locks import StaleVersionError


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError as the form's errors: under the fields it names, else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@method_decorator(login_required, name="dispatch")
class ServiceFormView(FormView):
    """A form page over one service call. A subclass declares:

    - `form_class`, `template_name` and, if any, `permission` (a rules perm asked about `permission_object()`;
      refused: 403, before the form is shown or read);
    - `get_object()`: what the page is about, from the URL (kept as `self.object`; raise Http404 if missing);
    - `form_instance()`: the instance a ModelForm edits (none by default);
    - `call_service(form)`: the write, with `form.cleaned_data` and `self.request.user`; its result is kept as
      `self.saved` for `get_success_url()`;
    - `success_message`, `stale_message`: flashed after a save / when the service finds the record changed since.
    """

    permission: str | None = None
    success_message = None
    stale_message = None
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

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = self.form_instance()
        if instance is not None:
            kwargs["instance"] = instance
        return kwargs

    def call_service(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.saved = self.call_service(form)
        except StaleVersionError as error:
            form.stale = error.message_dict.get("version", error.messages)
            if self.stale_message:
                messages.error(self.request, self.stale_message)
            return self.form_invalid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stale"] = getattr(context["form"], "stale", None)
        return context
