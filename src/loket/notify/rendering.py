"""Rendering notification templates into plain text, in the message's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from loket.core.errors import ValidationError

from .events import EVENTS

_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+\n")
_APP_TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    short_text: str  # for SMS: one short paragraph


@lru_cache(maxsize=1)
def _engine() -> Engine:
    # A plain-text engine: HTML autoescaping would turn "&" in a service name
    # into "&amp;". The project's template DIRS come first so an agency can
    # override a message without touching the package.
    dirs: list[str] = []
    for backend in settings.TEMPLATES:
        dirs.extend(str(directory) for directory in cast("list[Any]", backend.get("DIRS", [])))
    return Engine(dirs=[*dirs, str(_APP_TEMPLATES)], app_dirs=True, autoescape=False)


@receiver(setting_changed)
def _forget_engine(*, setting: str, **kwargs: Any) -> None:
    if setting in {"TEMPLATES", "INSTALLED_APPS"}:
        _engine.cache_clear()


def check_context(event: str, context: dict[str, Any]) -> None:
    spec = EVENTS.get(event)
    if spec is None:
        raise ValidationError(
            _("Unknown notification event: %(event)s") % {"event": event}, field="event"
        )
    missing = [key for key in spec.required if context.get(key) in (None, "")]
    if missing:
        raise ValidationError(
            _("The %(event)s notification needs: %(keys)s")
            % {"event": event, "keys": ", ".join(missing)},
            field="context",
        )


def render(event: str, language: str, context: dict[str, Any], *, short: bool = True) -> Rendered:
    """Render an event's templates; raises ValidationError for an unknown event or missing keys.

    With ``short=False`` (no SMS goes out) the short text is left empty, but its template
    must still exist: a message is refused alike whichever channels it has."""
    check_context(event, context)
    engine = _engine()
    # Dates in the templates (`|date:"j F Y"`) come out in the message's language.
    with translation.override(language):
        try:
            full = engine.get_template(f"notify/{event}.{language}.txt").render(
                Context(context, autoescape=False)
            )
            # Templates are cached once loaded: looking one up costs a dict read.
            sms_template = engine.get_template(f"notify/{event}.{language}.sms.txt")
            sms = sms_template.render(Context(context, autoescape=False)) if short else ""
        except TemplateDoesNotExist as exc:
            raise ValidationError(
                _("No %(language)s template for the %(event)s notification")
                % {"language": language, "event": event},
                field="language",
            ) from exc
    subject, _sep, body = full.strip().partition("\n")
    return Rendered(
        subject=" ".join(subject.split())[:255],
        # `{% if %}` lines that render empty would leave gaps; keep at most one blank line.
        body=_BLANK_LINES.sub("\n\n", body.strip()) + "\n",
        short_text=" ".join(sms.split()),
    )
