"""Guidance page Markdown is rendered safely; dates get their Hijri reading."""

from datetime import date

import pytest

from helpdesk.domain.guidance import hijri_date, render_markdown


def test_markdown_renders_headings_lists_links_and_tables():
    html = render_markdown(
        "# Conditions\n\n- **Full** name\n- [Help](https://sanad.example/help)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<h2>Conditions</h2>" in html  # the page title is the only h1
    assert "<li><strong>Full</strong> name</li>" in html
    assert '<a href="https://sanad.example/help" rel="noopener noreferrer">Help</a>' in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "![x](https://evil.example/track.png)",
    ],
)
def test_markdown_never_lets_script_or_foreign_content_through(attack):
    html = render_markdown(attack)
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert '<a href="javascript' not in html


def test_arabic_text_survives_rendering():
    assert render_markdown("## الشروط\n\nالاسم **الكامل**") == (
        "<h3>الشروط</h3>\n<p>الاسم <strong>الكامل</strong></p>\n"
    )


def test_hijri_date_in_both_languages():
    assert hijri_date(date(2026, 11, 24), "ar") == "14 جمادى الآخرة 1448 هـ"
    assert hijri_date(date(2026, 11, 24), "en") == "14 Jumada al-Akhirah 1448 AH"
    assert hijri_date(date(1800, 1, 1), "en") == ""
