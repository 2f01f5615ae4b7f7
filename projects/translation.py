"""The programme framework and the other reference lists per language (django-modeltranslation): title_en /
title_fr / title_es (name_* for sources of funds and types of input); the plain attribute follows the active
language and falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from projects.models import (
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FundingSource,
    InputType,
    OperationalObjective,
    Programme,
    StrategicObjective,
)


@register([StrategicObjective, OperationalObjective, Programme, CrossCuttingTheme, DeclarationPrinciple, Convention])
class TitleTranslation(TranslationOptions):
    fields = ("title",)


@register([FundingSource, InputType])
class NameTranslation(TranslationOptions):
    fields = ("name",)
