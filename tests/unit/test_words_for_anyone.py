"""Issue 21, finding 12: a person whose gender Sanad does not know is addressed in words that fit
anyone. The convention: "المتدرب/ة" (never "متدرب" alone for one trainee) in every Arabic catalogue."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
# "متدرب" or "المتدرب" for one person, not followed by "/ة"; plurals (متدربين، المتدربون) are fine
ONE_TRAINEE = re.compile(r"(?<![\u0621-\u064A])(?:ال)?متدرب(?![\u0621-\u064A/])")


def test_no_catalogue_calls_one_trainee_by_a_masculine_word():
    found = []
    for po_path in sorted(ROOT.glob("*/locale/ar/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            for message in read_po(po_file, locale="ar"):
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                found += [f"{po_path.name}: {s}" for s in strings if s and ONE_TRAINEE.search(s)]
    assert not found, "\n".join(found)
