"""Languages: Arabic first, English second; gettext catalogues compiled in memory at start-up."""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("ar", "en")
DEFAULT_LOCALE = "ar"


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated later, where the reader's locale is known."""
    return message


def direction(locale: str) -> str:
    return "rtl" if locale == "ar" else "ltr"


def chosen_locale(*candidates: str | None) -> str:
    """The first supported locale among the candidates (query, cookie, token, ...), else Arabic."""
    for candidate in candidates:
        if candidate and candidate[:2].lower() in LOCALES:
            return candidate[:2].lower()
    return DEFAULT_LOCALE


class Catalogues:
    """Every `<package>/locale/<lang>/LC_MESSAGES/*.po`, merged per language.

    One .po file per area keeps areas from editing the same file; message ids are English.
    """

    def __init__(self, locale_dirs: Iterable[Path]):
        self._translations: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
        self._messages: dict[str, dict[str, str]] = {"en": {}}
        self._plurals: dict[str, set[str]] = {"en": set()}
        for locale in LOCALES:
            if locale == "en":
                continue
            merged = Catalog(locale=locale)
            for locale_dir in locale_dirs:
                for po_path in sorted((locale_dir / locale / "LC_MESSAGES").glob("*.po")):
                    with po_path.open("rb") as po_file:
                        for message in read_po(po_file, locale=locale):
                            if message.id and message.string and not message.fuzzy:
                                merged[message.id] = message
            mo = io.BytesIO()
            write_mo(mo, merged)
            mo.seek(0)
            self._translations[locale] = gettext.GNUTranslations(mo)
            self._messages[locale] = {
                m.id: m.string for m in merged if m.id and isinstance(m.id, str)
            }
            self._plurals[locale] = {
                part for m in merged if isinstance(m.id, tuple) and all(m.string) for part in m.id
            }

    def translator(self, locale: str) -> gettext.NullTranslations:
        return self._translations.get(locale, self._translations[DEFAULT_LOCALE])

    def gettext(self, locale: str, message: str, **values: object) -> str:
        text = self.translator(locale).gettext(message)
        return text % values if values else text

    def ngettext(self, locale: str, singular: str, plural: str, n: int, **values: object) -> str:
        """The form for `n` (Arabic has six), with `%(count)s` and the other values filled in."""
        text = self.translator(locale).ngettext(singular, plural, n)
        return text % {"count": n, **values}

    def plural_ids(self, locale: str) -> set[str]:
        """The singular and plural ids of the messages translated with every plural form."""
        return set(self._plurals.get(locale, set()))

    def messages(self, locale: str) -> dict[str, str]:
        """The catalogue as a plain mapping, for the browser (`t("...")` in JS)."""
        return dict(self._messages.get(locale, {}))


def format_datetime(moment: datetime, tz: ZoneInfo, locale: str, style: str = "medium") -> str:
    """A moment as the institute reads it: in its time zone, in the reader's language."""
    return babel_format_datetime(moment.astimezone(tz), style, tzinfo=tz, locale=locale)
