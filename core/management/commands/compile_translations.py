"""Compile every committed .po file to .mo with Babel, so no GNU gettext is needed on the machine."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo (skips files that are up to date)."

    def handle(self, *args, **options):
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        # Our apps' own catalogues (e.g. projects/locale), which Django finds at runtime beside LOCALE_PATHS.
        roots += [Path(app.path) / "locale" for app in apps.get_app_configs()
                  if Path(app.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(app.path).parts]
        compiled = 0
        for root in roots:
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parent.parent.name)
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {compiled} translation file(s).")
