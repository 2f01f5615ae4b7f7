"""Rules' names and descriptions and slippage reasons per language (django-modeltranslation); the plain attribute
follows the active language (the digest e-mail's is the recipient's) and falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from alerts.models import Rule, SlippageReason


@register(Rule)
class RuleTranslation(TranslationOptions):
    fields = ("name", "description")


@register(SlippageReason)
class SlippageReasonTranslation(TranslationOptions):
    fields = ("label",)
