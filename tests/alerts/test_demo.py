import pytest
from django.core.management import call_command

from alerts.models import Alert
from projects.demo import DEMO_AS_OF


@pytest.mark.django_db
def test_seed_demo_opens_with_alerts_of_the_demo_year(settings):
    settings.TCMS_TODAY = DEMO_AS_OF  # as `make run` sets it
    call_command("seed_demo", projects=40, seed=3, verbosity=0)
    periods = set(Alert.objects.values_list("period", flat=True))
    assert Alert.objects.exists()
    assert periods == {DEMO_AS_OF.year}
