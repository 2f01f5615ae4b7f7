"""The reference data (`load_reference`): regions, countries, the programme framework, Conventions, sources of
funds, types of input and default units, from fixtures/; idempotent.

Names are loaded in every language of the reference data (settings.MODELTRANSLATION_LANGUAGES): a fixture's
`name` / `title` is the English one, `name_fr`, `title_es`... the others; countries' French and Spanish names
come from the CLDR (Babel)."""

import csv
import json
from dataclasses import dataclass, field

from babel import Locale
from django.conf import settings
from django.db import transaction
from django.db.models import Model

from partners.models import Country, Region, Unit, UnitKind
from projects.models import (
    Biennium,
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FrameworkIndicator,
    FundingSource,
    InputType,
    OperationalObjective,
    Programme,
    StrategicObjective,
)
from projects.services._shared import (
    FIXTURES_DIR,
)


@dataclass
class ReferenceSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[Model], *, created: bool = False, updated: bool = False) -> None:
        name = model._meta.verbose_name_plural
        if created:
            self.created[str(name)] = self.created.get(str(name), 0) + 1
        if updated:
            self.updated[str(name)] = self.updated.get(str(name), 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(FIXTURES_DIR / name, newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _sync(model: type[Model], summary: ReferenceSummary, *, key: dict, values: dict) -> Model:
    """Create or update one reference row; an unchanged row is not saved (so no history row, no write)."""
    instance = model.objects.filter(**key).first()
    if instance is None:
        instance = model(**key, **values)
        instance.save()
        summary.count(model, created=True)
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        summary.count(model, updated=True)
    return instance


def _names(record: dict, field: str) -> dict[str, str | None]:
    """{"name_en": ..., "name_fr": ..., "name_es": ...} from a fixture row whose `field` is the English name and
    `field_fr`, `field_es`... the others (missing or empty: None, so the English one is shown)."""
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return {f"{field}_{language}": (record[field] if language == default else record.get(f"{field}_{language}"))
            or None for language in settings.MODELTRANSLATION_LANGUAGES}


def _country_names(iso2: str, english: str) -> dict[str, str | None]:
    """A country's names: the fixture's English one, the others from the CLDR (Babel)."""
    record = {"name": english}
    for language in settings.MODELTRANSLATION_LANGUAGES:
        if language != settings.MODELTRANSLATION_DEFAULT_LANGUAGE:
            record[f"name_{language}"] = Locale.parse(language).territories.get(iso2)
    return _names(record, "name")


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


@transaction.atomic
def load_reference() -> ReferenceSummary:
    """Load the reference data of fixtures/ (idempotent: a second run writes nothing)."""
    summary = ReferenceSummary()
    regions = {}
    for row in _read_csv("regions.csv"):
        regions[row["code"]] = _sync(Region, summary, key={"code": row["code"]}, values={
            **_names(row, "name"), "iati_code": row["iati_code"], "sort_order": int(row["sort_order"])})

    existing = {c.iso3: c for c in Country.objects.all()}
    to_create, to_update, update_fields = [], [], set()
    for row in _read_csv("countries.csv"):
        values = {"iso2": row["iso2"], **_country_names(row["iso2"], row["name"]),
                  "region_id": regions[row["region"]].pk,
                  "is_ldc": row["is_ldc"] == "1", "ldc_graduation_year": _optional_int(row["ldc_graduation_year"]),
                  "in_transition": row["in_transition"] == "1"}
        country = existing.get(row["iso3"])
        if country is None:
            to_create.append(Country(iso3=row["iso3"], **values))
            continue
        changed = [name for name, value in values.items() if getattr(country, name) != value]
        if changed:
            for name in changed:
                setattr(country, name, values[name])
            update_fields.update(changed)
            to_update.append(country)
    Country.objects.bulk_create(to_create)
    if to_update:
        Country.objects.bulk_update(to_update, sorted(update_fields))
    for _i in to_create:
        summary.count(Country, created=True)
    for _i in to_update:
        summary.count(Country, updated=True)

    with open(FIXTURES_DIR / "framework.json", encoding="utf-8") as handle:
        framework = json.load(handle)
    for biennium_data in framework["biennia"]:
        biennium = _sync(Biennium, summary, key={"code": biennium_data["code"]}, values={
            "start_year": biennium_data["start_year"], "end_year": biennium_data["end_year"]})
        for objective_data in biennium_data["objectives"]:
            objective = _sync(StrategicObjective, summary, key={"biennium": biennium, "code": objective_data["code"]},
                              values=_names(objective_data, "title"))
            for programme_data in objective_data["programmes"]:
                _sync(Programme, summary, key={"biennium": biennium, "code": programme_data["code"]},
                      values={"objective": objective, **_names(programme_data, "title")})
            for operational_data in objective_data["operational_objectives"]:
                operational = _sync(OperationalObjective, summary,
                                    key={"objective": objective, "code": operational_data["code"]},
                                    values=_names(operational_data, "title"))
                for indicator_data in operational_data["indicators"]:
                    _sync(FrameworkIndicator, summary,
                          key={"operational_objective": operational, "code": indicator_data["code"]},
                          values={"text": indicator_data["text"], "target": indicator_data.get("target", "")})
        for theme_data in biennium_data["themes"]:
            _sync(CrossCuttingTheme, summary, key={"biennium": biennium, "code": theme_data["code"]},
                  values=_names(theme_data, "title"))

    principles = {}
    for row in _read_csv("declaration_principles.csv"):
        principles[row["code"]] = _sync(DeclarationPrinciple, summary, key={"code": row["code"]},
                                        values=_names(row, "title"))
    for row in _read_csv("conventions.csv"):
        _sync(Convention, summary, key={"number": int(row["number"])}, values={
            **_names(row, "title"), "is_fundamental": True, "fundamental_since": int(row["fundamental_since"]),
            "principle": principles[row["principle"]]})
    for row in _read_csv("funding_sources.csv"):
        _sync(FundingSource, summary, key={"code": row["code"]}, values={
            **_names(row, "name"), "budget_type": row["budget_type"], "sort_order": int(row["sort_order"])})
    for row in _read_csv("input_types.csv"):
        _sync(InputType, summary, key={"code": row["code"]}, values={
            **_names(row, "name"), "sort_order": int(row["sort_order"])})
    for row in _read_csv("units.csv"):
        _sync(Unit, summary, key={"code": row["code"]}, values={
            **_names(row, "name"), "kind": UnitKind(row["kind"]),
            "parent": Unit.objects.get(code=row["parent"]) if row["parent"] else None,
            "region": regions[row["region"]] if row["region"] else None})
    return summary
