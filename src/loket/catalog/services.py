"""Operations of the service catalogue: publishing service definitions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.utils import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.catalog import loader, selectors
from loket.catalog.errors import DefinitionError, DefinitionErrors
from loket.catalog.models import Service, ServiceVersion
from loket.catalog.yamlsource import decode, parse
from loket.core.errors import ConflictError
from loket.org.models import Agency, Unit


@dataclass(frozen=True)
class PublishResult:
    """The version that holds the published content; `created` is False for a repeat."""

    version: ServiceVersion
    created: bool


def _agency_code(text: str) -> Any:
    """The agency a definition names, read leniently (the full check comes after)."""
    try:
        document = parse(text)
    except DefinitionErrors:
        return None
    return document.data.get("agency") if isinstance(document.data, dict) else None


def check_definition(source: str | bytes, path: str = "<string>") -> dict[str, Any]:
    """The normalized definition, checked also against the organisation in the database.

    Raises DefinitionErrors listing every problem, including an unknown agency,
    unit or position.
    """
    text = decode(source, path)
    agency_code = _agency_code(text)
    units, positions, agencies = selectors.organisation_of(agency_code)
    return loader.load(
        text,
        path,
        known_positions=positions,
        known_units=units,
        known_agencies=agencies,
        known_archive_codes=selectors.archive_codes_of(agency_code, on=timezone.localdate()),
    )


def validate_against_database(source: str | bytes, path: str = "<string>") -> list[DefinitionError]:
    """Every problem of a definition; without a usable database only the file is checked."""
    try:
        check_definition(source, path)
    except DefinitionErrors as exc:
        return exc.errors
    except DatabaseError:
        # `loket services validate` must also work in CI before `migrate`.
        return loader.validate(source, path)
    return []


def publish_file(path: str | Path, *, published_by: User | None = None) -> PublishResult:
    """Publish a definition file; see publish_text."""
    return publish_text(Path(path).read_bytes(), str(path), published_by=published_by)


@transaction.atomic
def publish_text(
    source: str | bytes,
    path: str = "<string>",
    *,
    published_by: User | None = None,
) -> PublishResult:
    """Store a definition as a new immutable ServiceVersion, in one transaction.

    Refuses (DefinitionErrors) a definition that does not validate against the
    database. The same bytes as an existing version of the service publish
    nothing and return that version (created=False); otherwise the version
    number is one more than the newest. The Service row is created or
    brought up to date (name, unit, accepting applications).
    """
    raw = source.encode("utf-8") if isinstance(source, str) else source
    definition = check_definition(raw, path)
    agency = Agency.objects.get(code=definition["agency"])
    unit = Unit.objects.get(agency=agency, code=definition["unit"])
    service, _created = Service.objects.get_or_create(
        code=definition["code"],
        defaults={
            "agency": agency,
            "unit": unit,
            "name": definition["name"]["id"],
            "name_en": definition["name"]["en"],
        },
    )
    # Publishing the same service twice at once must not give two "version n+1".
    service = Service.objects.select_for_update(no_key=True).get(pk=service.pk)
    if service.agency_id != agency.pk:
        raise ConflictError(
            _("service %(code)s belongs to another agency (%(agency)s)")
            % {"code": service.code, "agency": service.agency.code},
            field="agency",
        )
    content_hash = hashlib.sha256(raw).hexdigest()
    newest = selectors.current_version(service)
    # Only the newest version counts: reverting to older content is a new version n+1.
    if newest is not None and newest.content_hash == content_hash:
        return PublishResult(newest, created=False)
    version = ServiceVersion.objects.create(
        service=service,
        number=(newest.number + 1) if newest else 1,
        content_hash=content_hash,
        source=decode(raw, path),
        definition=definition,
        published_by=published_by,
    )
    service.unit = unit
    service.name = definition["name"]["id"]
    service.name_en = definition["name"]["en"]
    service.is_active = True
    service.save(update_fields=["unit", "name", "name_en", "is_active"])
    return PublishResult(version, created=True)


@transaction.atomic
def withdraw(*, service: Service) -> Service:
    """Stop a service accepting applications; open cases go on under their version.

    Moves the catalogue revision in the same transaction, so no process serves
    the withdrawn service from its cached catalogue once this commits.
    """
    service.is_active = False
    service.save(update_fields=["is_active"])  # catalog.signals bumps the revision
    return service
