"""API serializer fields shared by the apps."""

from django.utils.encoding import smart_str
from rest_framework import serializers


class SlugRelatedField(serializers.SlugRelatedField):
    """A related object named by its code. A code holding a NUL character names nothing: it is refused as unknown
    before the lookup, which PostgreSQL would fail with an error (it cannot hold NUL in text)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return super().to_internal_value(data)
