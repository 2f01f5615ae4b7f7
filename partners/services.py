"""Writes: every change to this app's records goes through a function here."""

from django.db import transaction

from partners.models import Country, Organisation, OrganisationKind, Unit, UnitMembership


def _with_history_user(instance, user):
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    return instance


@transaction.atomic
def organisation_create(*, name: str, kind: str, acronym: str = "", country: Country | None = None,
                        iati_identifier: str = "", user=None) -> Organisation:
    organisation = Organisation(name=name.strip(), kind=kind, acronym=acronym.strip(), country=country,
                                iati_identifier=iati_identifier.strip())
    organisation.full_clean()
    _with_history_user(organisation, user).save()
    return organisation


@transaction.atomic
def donor_get_or_create(*, text: str, user=None) -> tuple[Organisation, bool]:
    """The organisation a file names as donor (acronym or name); an unknown one becomes a donor organisation."""
    from partners.selectors import organisation_find

    organisation = organisation_find(text)
    if organisation is not None:
        return organisation, False
    is_acronym = text.isupper() and " " not in text and len(text) <= 32
    return organisation_create(name=text, acronym=text if is_acronym else "", kind=OrganisationKind.DONOR,
                               user=user), True


@transaction.atomic
def unit_membership_set(*, user, unit: Unit, is_manager: bool = False, is_focal_point: bool = False,
                        receives_digest: bool = True) -> UnitMembership:
    membership, _created = UnitMembership.objects.update_or_create(
        user=user, unit=unit,
        defaults={"is_manager": is_manager, "is_focal_point": is_focal_point, "receives_digest": receives_digest})
    return membership


@transaction.atomic
def unit_membership_remove(*, user, unit: Unit) -> None:
    UnitMembership.objects.filter(user=user, unit=unit).delete()
