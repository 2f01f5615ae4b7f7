"""Reference names per language (django-modeltranslation): name_en / name_fr / name_es; `name` follows the
active language and falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from partners.models import Country, Region, Unit


@register(Region)
class RegionTranslation(TranslationOptions):
    fields = ("name",)


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name",)


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name",)
