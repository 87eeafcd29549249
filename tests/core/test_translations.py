"""The UI speaks Bahasa Indonesia by default: every message in the catalogue is translated."""

from pathlib import Path

import loket

CATALOGUE = Path(loket.__file__).parent / "locale" / "id" / "LC_MESSAGES" / "django.po"


def _entries() -> list[list[str]]:
    return [block.splitlines() for block in CATALOGUE.read_text(encoding="utf-8").split("\n\n")]


def test_no_indonesian_translation_is_missing() -> None:
    untranslated = []
    for lines in _entries()[1:]:  # the first entry is the catalogue's header
        for index, line in enumerate(lines):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if line == 'msgstr ""' and not following.startswith('"'):
                untranslated.append(next(x for x in lines if x.startswith("msgid")))
    assert not untranslated, f"run scripts/i18n and translate: {untranslated[:10]}"


def test_no_translation_is_left_fuzzy() -> None:
    fuzzy = [
        lines for lines in _entries() if any(x.startswith("#,") and "fuzzy" in x for x in lines)
    ]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries: check and unmark them"


def test_compiled_catalogue_holds_the_latest_translations() -> None:
    from django.utils import translation

    # Fails when the .po was edited but the .mo not recompiled (scripts/i18n compile).
    with translation.override("id"):
        assert translation.gettext("a PDF") == "berkas PDF"
        assert translation.gettext(
            "Only the head of the unit responsible for this task can reassign it."
        ).startswith("Hanya kepala unit")
