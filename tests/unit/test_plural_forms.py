"""Issue 21, finding 12: counted words through Babel's plural forms, six in Arabic, two in English."""

from pathlib import Path

import pytest

from helpdesk.i18n import Catalogues

ROOT = Path(__file__).resolve().parents[2]
ATTEMPTS = ("%(count)s attempt", "%(count)s attempts")


@pytest.fixture(scope="module")
def catalogues():
    return Catalogues(ROOT / package / "locale" for package in ("helpdesk", "classroom_helper"))


@pytest.mark.parametrize(
    ("n", "arabic", "english"),
    [
        (1, "محاولة واحدة", "1 attempt"),
        (2, "محاولتان", "2 attempts"),
        (3, "3 محاولات", "3 attempts"),
        (11, "11 محاولة", "11 attempts"),
        (100, "100 محاولة", "100 attempts"),
    ],
)
def test_counted_words_agree_with_their_number(catalogues, n, arabic, english):
    assert catalogues.ngettext("ar", *ATTEMPTS, n) == arabic
    assert catalogues.ngettext("en", *ATTEMPTS, n) == english
