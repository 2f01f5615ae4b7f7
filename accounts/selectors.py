from accounts.models import ApiToken, Role, User


def users_with_role(role: Role):
    return User.objects.filter(role=role, is_active=True)


def api_token_of(user) -> ApiToken | None:
    """The user's API token (expired or not), if they have one."""
    return ApiToken.objects.filter(user=user).order_by("-created").first()
