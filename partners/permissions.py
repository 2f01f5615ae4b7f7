"""Who may add organisations (partners, donors): whoever registers or edits projects, since they name them on the
project form (projects/permissions.py: officers, managers, administrators); the rest of the reference data is the
administrators'."""

import rules
from django.utils.translation import gettext as _

from accounts.permissions import is_administrator, is_manager, is_officer, register_refusal

ADD_ORGANISATION = "partners.add_organisation"

rules.add_perm(ADD_ORGANISATION, is_administrator | is_officer | is_manager)

register_refusal(ADD_ORGANISATION, lambda _obj: _("You may not add organisations."))
