from accounts.models import Role, User


def users_with_role(role: Role):
    return User.objects.filter(role=role, is_active=True)
