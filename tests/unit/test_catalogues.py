"""Every message a person can see has an Arabic translation in a catalogue."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from helpdesk.i18n import Catalogues

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("helpdesk", "classroom_helper")
METHODS = [
    ("**/migrations/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "t": None}


def extracted_messages() -> dict[str, str]:
    """Message id → where it was first found."""
    found: dict[str, str] = {}
    sources = [(ROOT / package, METHODS) for package in PACKAGES]
    sources += [(ROOT / "static", [("**/vendor/**", "ignore"), ("**.js", "javascript")])]
    sources += [(ROOT / "widget", [("**/node_modules/**", "ignore"), ("src/**.js", "javascript")])]
    for directory, methods in sources:
        if not directory.is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
            directory, methods, keywords=KEYWORDS
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for message_id in ids:
                if message_id:
                    found.setdefault(message_id, f"{directory.name}/{filename}:{lineno}")
    return found


def test_the_extraction_finds_the_messages_of_every_kind_of_source():
    messages = extracted_messages()
    assert "Staff log-in" in messages  # a template
    assert "Not Found" in messages  # a Python N_() mark


def test_every_message_has_an_arabic_translation():
    catalogues = Catalogues(ROOT / package / "locale" for package in PACKAGES)
    arabic, plurals = catalogues.messages("ar"), catalogues.plural_ids("ar")
    missing = {
        m: where
        for m, where in extracted_messages().items()
        if not arabic.get(m) and m not in plurals
    }
    assert not missing, "messages without Arabic (add them to your area's .po):\n" + "\n".join(
        f"  {where}: {message!r}" for message, where in sorted(missing.items(), key=lambda i: i[1])
    )
