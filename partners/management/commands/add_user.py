"""python manage.py add_user USERNAME --role ROLE [--unit CODE]... [--manages CODE]... [--email E] [--update]
python manage.py add_user USERNAME --role constituent --organisation ACRONYM_OR_NAME [--email E] [--update]

Provisions an account from a script. The password comes from the environment variable TCMS_NEW_USER_PASSWORD, or
else is asked twice at a prompt; Django's password validators apply. It lives in partners, not accounts, because
it places the user in units (partners.UnitMembership) and accounts sits below partners."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import Role
from partners.models import Organisation, Unit, constituent_kind_error
from partners.selectors import organisation_candidates
from partners.services import account_provision

PASSWORD_VARIABLE = "TCMS_NEW_USER_PASSWORD"
# What each field of the service's errors is called on the command line.
OPTION_OF = {"username": "USERNAME", "role": "--role", "password": f"password ({PASSWORD_VARIABLE} or prompt)",
             "email": "--email", "organisation": "--organisation", "unit": "--unit"}


class Command(BaseCommand):
    help = ("Create a user with a role, the units they belong to (--unit) and manage (--manages); the password "
            f"comes from {PASSWORD_VARIABLE} or a prompt.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="one of " + ", ".join(Role.values))
        parser.add_argument("--unit", action="append", default=[], metavar="CODE",
                            help="a unit the user belongs to (repeatable)")
        parser.add_argument("--manages", action="append", default=[], metavar="CODE",
                            help="a unit the user manages (repeatable)")
        parser.add_argument("--organisation", default="", metavar="ACRONYM_OR_NAME",
                            help="a constituent's organisation (government, employers' or workers'); "
                                 "only with --role constituent")
        parser.add_argument("--email", default="", help="e-mail address (alert digests go there)")
        parser.add_argument("--update", action="store_true",
                            help="change an existing user: role, password, e-mail; add the units given")

    def handle(self, *args, username, role, unit, manages, email, update, organisation, **options):
        role = role.strip().upper()
        if role not in Role.values:
            raise CommandError(f"--role: {role!r} is not a role; the roles are {', '.join(Role.values)}.")
        member_of = self._units("--unit", unit)
        managed = self._units("--manages", manages)
        organisation = self._organisation(organisation)
        if role == Role.CONSTITUENT and organisation is None:
            raise CommandError("--organisation: a constituent belongs to an organisation; name it (acronym or name).")
        if role != Role.CONSTITUENT and organisation is not None:
            raise CommandError(f"--organisation: only a constituent belongs to an organisation (--role {role}).")
        password = self._password()
        try:
            user, created = account_provision(username=username, role=role, password=password, member_of=member_of,
                                              manages=managed, email=email, update=update,
                                              organisation=organisation)
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            lines = [f"{OPTION_OF.get(field, field)}: {message}".lstrip(": ")
                     for field, messages in problems.items() for message in messages]
            if "username" in problems and not update:
                lines.append("Add --update to change the existing user.")
            raise CommandError("\n".join(lines))
        self.stdout.write(self.style.SUCCESS(
            f"User {user.username} {'created' if created else 'updated'} ({user.get_role_display()})."))

    def _units(self, option: str, codes: list[str]) -> list[Unit]:
        wanted = [code.strip() for code in codes if code.strip()]
        condition = Q(pk__in=[])
        for code in wanted:
            condition |= Q(code__iexact=code)
        found = {found.code.upper(): found for found in Unit.objects.filter(condition)}
        unknown = [code for code in wanted if code.upper() not in found]
        if unknown:
            raise CommandError(f"{option}: no unit has the code {', '.join(unknown)}.")
        return [found[code.upper()] for code in wanted]

    def _organisation(self, text: str) -> Organisation | None:
        text = text.strip()
        if not text:
            return None
        found = organisation_candidates(text)
        if not found:
            raise CommandError(f"--organisation: no organisation has the acronym or name {text!r}.")
        if len(found) > 1:
            raise CommandError(f"--organisation: {text!r} is the acronym of several organisations ("
                               + "; ".join(str(organisation) for organisation in found) + "): give the full name.")
        if not found[0].is_constituent:
            raise CommandError(f"--organisation: {constituent_kind_error(found[0])}")
        return found[0]

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is not None:
            if not password:
                raise CommandError(f"password: {PASSWORD_VARIABLE} is set but empty.")
            return password
        password = getpass.getpass("Password: ")
        if not password:
            raise CommandError("password: the password cannot be empty.")
        if getpass.getpass("Password (again): ") != password:
            raise CommandError("password: the two passwords differ.")
        return password
