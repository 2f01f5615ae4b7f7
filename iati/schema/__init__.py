"""The IATI 2.03 activity schema, vendored under 2.03/ (sources and licences in 2.03/SOURCES.md)."""

from functools import cache
from pathlib import Path

from lxml import etree

DIRECTORY = Path(__file__).resolve().parent / "2.03"


@cache
def activities_schema() -> etree.XMLSchema:
    """iati-activities-schema.xsd; it includes iati-common.xsd and imports xml.xsd from the same folder."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(DIRECTORY / "iati-activities-schema.xsd"), parser))
