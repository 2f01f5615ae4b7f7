"""Base classes of the REST API v1 (/api/v1/): authentication, permissions, errors, pagination, ETags.

Every app's `api.py` builds its viewsets on `TcmsViewSet`, so that all endpoints behave alike:
- authentication by per-user token (`Authorization: Token …`, hashed at rest: accounts/authentication.py) or by
  the browser session;
- permissions are the `rules` perms of projects/permissions.py, the same the pages ask: a viewset maps its actions
  to perms (`perms`), those named in `object_perms` are checked against the object (`has_perm(perm, obj)`), so an
  object a user may read but not change answers 403;
- writes go through the services: the write serializer only checks the shape of the input, then the view calls
  the service inside one transaction; a Django ValidationError from a service answers 400 naming the fields,
  a stale project version 412, a PermissionDenied (the services ask projects/permissions.py too) 403 with its
  message;
- every successful GET carries an `ETag` (a hash of the representation); `If-None-Match` answers 304, and an
  `If-Match` that no longer matches on a write answers 412;
- pagination with a count (`?page=`, `?page_size=`), ordering (`?ordering=`) and the apps' shared FilterSets.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, generics, pagination, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.locks import StaleVersionError

READ, CREATE, CHANGE, DELETE = "read", "create", "change", "delete"
ACTION_KINDS = {"list": READ, "retrieve": READ, "metadata": READ, "create": CREATE, "update": CHANGE,
                "partial_update": CHANGE, "destroy": DELETE}
VIEW_REGISTER = "projects.view_project"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The object has changed since you read it: read it again and repeat your change.")
    default_code = "precondition_failed"


def validation_error_detail(exc: DjangoValidationError) -> dict:
    """A Django ValidationError as DRF's error body: {field: [messages]}, general ones under non_field_errors."""
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if name == "__all__" else name): messages
                for name, messages in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def api_exception_handler(exc, context):
    if isinstance(exc, StaleVersionError):
        exc = PreconditionFailed(detail=validation_error_detail(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_error_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(detail=str(exc))  # the service's words (DRF's own handler drops them)
    return drf_exception_handler(exc, context)


def etag_of(data) -> str:
    payload = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [value.strip().removeprefix("W/") for value in header.split(",")]
    return "*" in candidates or etag in candidates


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class RulesPermission(permissions.BasePermission):
    """The view's action → a rules perm; object-level perms are asked with the object (or the project it
    belongs to, `view.permission_object(obj)`). Reading needs only to be signed in (projects.view_project)."""

    def _rule(self, view) -> tuple[str | None, bool]:
        kind = view.action_kinds.get(view.action) or ACTION_KINDS.get(view.action, READ)
        if kind == READ:
            return view.read_perm, False
        return view.perms.get(kind), kind in view.object_perms

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perm, object_level = self._rule(view)
        if perm is None:  # an action the viewset does not map: nobody may
            return False
        # Object-level writes are decided when the object is known (has_object_permission or check_target);
        # until then the user needs only to be one who may read.
        return user.has_perm(view.read_perm if object_level else perm)

    def has_object_permission(self, request, view, obj) -> bool:
        perm, object_level = self._rule(view)
        if not object_level:
            return True
        return view.object_permitted(request.user, perm, obj)


class TcmsAutoSchema(AutoSchema):
    """Request bodies of create/update follow the write serializer, responses the read one; a view with
    `answers_one_object` (e.g. the delivery figures) answers its list URL with one object, not a list."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "answers_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def get_request_serializer(self):
        if self.view.action in ("create", "update", "partial_update") and getattr(self.view, "write_serializer_class",
                                                                                 None):
            return self.view.write_serializer_class()
        return super().get_request_serializer()

    def get_response_serializers(self):
        if self.view.action in ("create", "update", "partial_update") and getattr(self.view, "write_serializer_class",
                                                                                 None):
            return self.view.serializer_class()
        return super().get_response_serializers()


class TcmsCollectionViewSet(viewsets.GenericViewSet):
    """Base of every API viewset (a resource with objects: TcmsViewSet). Subclasses declare:

    - `serializer_class` (what is read) and `write_serializer_class` (what create/update accept);
    - `perms`: {"create"|"change"|"delete"|custom kind: "app.perm"}; `object_perms`: the kinds asked with the
      object (a "create" there is asked about the parent through `check_target` in `service_create`);
      `action_kinds`: custom @action name → kind; `permission_object(obj)`: what the perm is asked about;
    - with the mixins below, `service_create(data)` / `service_update(instance, data)` / `service_delete(instance)`:
      the service calls.
    """

    permission_classes = [RulesPermission]
    pagination_class = Pagination
    schema = TcmsAutoSchema()
    read_perm = VIEW_REGISTER
    perms: dict[str, str] = {}
    object_perms: frozenset[str] = frozenset()
    action_kinds: dict[str, str] = {}
    write_serializer_class = None
    # The actions on one object that must honour If-Match (the standard writes and the custom ones).
    conditional_actions = frozenset({"update", "partial_update", "destroy"})

    def get_exception_handler(self):
        return api_exception_handler

    def permission_object(self, obj):
        return obj

    def object_permitted(self, user, perm: str, obj) -> bool:
        return user.has_perm(perm, self.permission_object(obj))

    def check_target(self, target, kind: str = CREATE) -> None:
        """An object-level check before a write whose object does not exist yet (e.g. a partner added to a project:
        the perm is asked about the project)."""
        perm = self.perms.get(kind)
        if perm is None or not self.request.user.has_perm(perm, target):
            self.permission_denied(self.request, message=_("You may not change this project's records."))

    # ------------------------------------------------------------ representation and ETags

    def representation(self, instance) -> dict:
        # get_serializer_class(): a viewset may answer some users with less (a constituent's serializers).
        return self.get_serializer_class()(instance, context=self.get_serializer_context()).data

    def get_object(self):
        # Not through filter_queryset: a list's filters (e.g. the evaluation plan's default "open") must not hide
        # an object asked for by its id.
        lookup = self.lookup_url_kwarg or self.lookup_field
        instance = generics.get_object_or_404(self.get_queryset(), **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, instance)
        if self.action in self.conditional_actions:
            header = self.request.headers.get("If-Match")
            if header and not _etag_matches(header, etag_of(self.representation(instance))):
                raise PreconditionFailed()
        return instance

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and isinstance(
                getattr(response, "data", None), (dict, list)) and not response.has_header("ETag"):
            etag = etag_of(response.data)
            header = request.headers.get("If-None-Match")
            if header and _etag_matches(header, etag):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
                return super().finalize_response(request, not_modified, *args, **kwargs)
            response["ETag"] = etag
        return response

    def _answer(self, instance, code=status.HTTP_200_OK) -> Response:
        data = self.representation(self.get_queryset().get(pk=instance.pk))
        return Response(data, status=code, headers={"ETag": etag_of(data)})

    # ------------------------------------------------------------ reads

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(queryset, many=True).data)

    def write_serializer(self, *args, **kwargs):
        return self.write_serializer_class(*args, context=self.get_serializer_context(), **kwargs)


class TcmsViewSet(TcmsCollectionViewSet):
    """A resource whose objects are read one by one too (/{id}/); an answer computed for the whole collection
    (e.g. the delivery figures) derives from TcmsCollectionViewSet, so that the router makes no /{id}/ for it."""

    def retrieve(self, request, *args, **kwargs):
        return Response(self.representation(self.get_object()))


class CreateThroughService:
    """POST on the collection: the write serializer checks the input, `service_create(data)` writes."""

    def create(self, request, *args, **kwargs):
        serializer = self.write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.service_create(serializer.validated_data)
        return self._answer(instance, status.HTTP_201_CREATED)


class UpdateThroughService:
    """PUT/PATCH on an object (If-Match honoured): `service_update(instance, data)` writes."""

    def update(self, request, *args, partial: bool = False, **kwargs):
        instance = self.get_object()
        serializer = self.write_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.service_update(instance, serializer.validated_data)
        return self._answer(instance)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class DestroyThroughService:
    """DELETE on an object (If-Match honoured): `service_delete(instance)`."""

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        with transaction.atomic():
            self.service_delete(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadOnlyViewSet(TcmsViewSet):
    """Reference lists and other read-only resources: list and retrieve only."""
