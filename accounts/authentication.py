"""REST API authentication by personal token (`Authorization: Token <key>`), hashed at rest by django-rest-knox."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's authentication: the key's digest must match a token that is neither expired nor revoked (401
    otherwise). A key that is not text is refused like a wrong one, instead of failing in knox's decoding."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of our subclass (drf-spectacular's knox extension matches knox's class only)."""

    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"
