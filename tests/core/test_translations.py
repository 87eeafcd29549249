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


def test_every_label_of_loket_models_is_in_the_catalogue() -> None:
    """The admin's labels (apps, models, fields): a string marked for translation but
    never added to the catalogue shows in English on an Indonesian page, and the
    checks above cannot see it."""
    from django.apps import apps
    from django.utils import translation
    from django.utils.functional import Promise

    catalogue = translation.trans_real.translation("id")._catalog  # type: ignore[attr-defined]

    def source(name: object) -> str | None:
        """The English msgid of a gettext_lazy label (not of a derived one, such as the
        default plural '{}s' built by format_lazy)."""
        args = getattr(name, "_args", ()) if isinstance(name, Promise) else ()
        return args[0] if len(args) == 1 and isinstance(args[0], str) else None

    labels: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("loket."):
            continue
        names: list[object] = [config.verbose_name]
        for model in config.get_models():
            names += [model._meta.verbose_name, model._meta.verbose_name_plural]
            names += [getattr(field, "verbose_name", None) for field in model._meta.get_fields()]
        labels |= {label for label in map(source, names) if label}
    assert len(labels) > 100  # the walk found the labels
    missing = sorted(label for label in labels if label not in catalogue)
    assert not missing, f"add to locale/id/LC_MESSAGES/django.po: {missing}"


def test_every_message_of_loket_templates_is_in_the_catalogue() -> None:
    """Each {% translate %} and {% blocktranslate %} of a Loket template, under the key
    Django looks it up by at runtime. A template's "%" is looked up as "%%", so an
    entry keyed with one "%" is never found: "Tepat waktu (%)" showed as "On time (%)"."""
    import ast
    import re

    from django.utils import translation
    from django.utils.translation.template import templatize

    catalogue = translation.trans_real.translation("id")._catalog  # type: ignore[attr-defined]
    # What makemessages reads: the template turned into gettext calls with the runtime keys.
    call = re.compile(r"\b(n?p?gettext)\((u'(?:[^'\\]|\\.)*'(?:, u'(?:[^'\\]|\\.)*')*)")
    root = Path(loket.__file__).parent
    found, missing = 0, []
    for template in sorted(root.glob("**/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for kind, arguments in call.findall(templatize(text, origin=str(template))):
            args = ast.literal_eval(f"({arguments},)")
            key: object = f"{args[0]}\x04{args[1]}" if "p" in kind else args[0]
            if kind.startswith("n"):
                key = (key, 0)  # a plural entry: its forms are keyed by index
            found += 1
            if key not in catalogue:
                missing.append(f"{template.relative_to(root)}: {args}")
    assert found > 500  # the walk found the templates' messages
    assert not missing, "add to locale/id/LC_MESSAGES/django.po:\n" + "\n".join(missing)


def test_every_message_of_loket_code_is_in_the_catalogue() -> None:
    """Each literal given to gettext (or its lazy, context and plural forms, under any
    alias such as `_`) in Loket's Python code has its Indonesian entry."""
    import ast

    from django.utils import translation

    catalogue = translation.trans_real.translation("id")._catalog  # type: ignore[attr-defined]
    simple = {"gettext", "gettext_lazy", "gettext_noop"}
    in_context, plural = {"pgettext", "pgettext_lazy"}, {"ngettext", "ngettext_lazy"}

    def literal(node: ast.expr) -> str | None:
        return (
            node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
        )

    def key_of(function: str, args: list[ast.expr]) -> object:
        texts = [literal(a) for a in args[:2]]
        if function in simple and texts and texts[0] is not None:
            return texts[0]
        if function in in_context and len(texts) == 2 and None not in texts:
            return f"{texts[0]}\x04{texts[1]}"
        if function in plural and texts and texts[0] is not None:
            return (texts[0], 0)
        return None

    root = Path(loket.__file__).parent
    found, missing = 0, []
    for path in sorted(root.glob("**/*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {  # local name -> django.utils.translation function
            alias.asname or alias.name: alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            if isinstance(called, ast.Name):
                function = names.get(called.id)
            elif isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name):
                function = called.attr if called.value.id == "translation" else None
            else:
                function = None
            key = key_of(function, node.args) if function else None
            if key is None:
                continue
            found += 1
            if key not in catalogue:
                missing.append(f"{path.relative_to(root)}:{node.lineno}: {key!r}")
    assert found > 1000  # the walk found the code's messages
    assert not missing, "add to locale/id/LC_MESSAGES/django.po:\n" + "\n".join(missing)
