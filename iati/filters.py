"""The IATI export's filters: the register's ProjectFilterSet (status, region, objective…) plus `since`."""

import django_filters
from django.utils.translation import gettext_lazy as _

from projects.filters import ProjectFilterSet


class IatiActivityFilterSet(ProjectFilterSet):
    since = django_filters.DateFilter(label=_("Updated on or after"), field_name="updated_at",
                                      lookup_expr="date__gte")

    class Meta(ProjectFilterSet.Meta):
        pass
