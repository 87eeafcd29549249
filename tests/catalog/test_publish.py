"""Publishing definitions as immutable versions, from Python and from `loket services`."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from loket.catalog.errors import DefinitionErrors
from loket.catalog.models import ImmutableError, Service
from loket.catalog.selectors import current_version, service_by_code
from loket.catalog.services import publish_file, publish_text
from loket.org.models import Agency

from .conftest import SERVICES_DIR, demo_text

pytestmark = pytest.mark.django_db


def test_publishing_creates_the_service_and_version_one(kota_contoh: Agency) -> None:
    result = publish_file(SERVICES_DIR / "izin-reklame.yaml")
    assert result.created
    version = result.version
    assert version.number == 1
    raw = (SERVICES_DIR / "izin-reklame.yaml").read_bytes()
    assert version.content_hash == hashlib.sha256(raw).hexdigest()
    assert version.source == raw.decode()
    assert version.definition["steps"][2]["join"] == "kajian-selesai"
    service = service_by_code("izin-reklame")
    assert service is not None
    assert (service.name, service.name_en, service.unit.code, service.is_active) == (
        "Izin Penyelenggaraan Reklame",
        "Advertisement (Billboard) Permit",
        "dpmptsp",
        True,
    )


def test_publishing_the_same_content_again_changes_nothing(kota_contoh: Agency) -> None:
    first = publish_text(demo_text("izin-usaha-mikro"), "ium.yaml")
    again = publish_text(demo_text("izin-usaha-mikro"), "ium.yaml")
    assert not again.created
    assert again.version.pk == first.version.pk
    assert first.version.service.versions.count() == 1


def test_a_changed_file_becomes_the_next_version(kota_contoh: Agency) -> None:
    text = demo_text("izin-usaha-mikro")
    publish_text(text, "ium.yaml")
    changed = publish_text(text.replace("working_days: 5", "working_days: 4"), "ium.yaml")
    assert changed.created
    assert changed.version.number == 2
    service = changed.version.service
    current = current_version(service)
    assert current is not None and current.definition["deadline"]["working_days"] == 4
    assert service.versions.get(number=1).definition["deadline"]["working_days"] == 5


def test_reverting_to_earlier_content_becomes_a_new_version(kota_contoh: Agency) -> None:
    text = demo_text("izin-usaha-mikro")
    publish_text(text, "ium.yaml")
    publish_text(text.replace("working_days: 5", "working_days: 4"), "ium.yaml")
    reverted = publish_text(text, "ium.yaml")
    assert reverted.created
    assert reverted.version.number == 3
    assert reverted.version.definition["deadline"]["working_days"] == 5


def test_a_published_version_cannot_be_changed(kota_contoh: Agency) -> None:
    version = publish_text(demo_text("izin-usaha-mikro")).version
    version.source = "changed"
    with pytest.raises(ImmutableError):
        version.save()


def test_an_invalid_definition_is_not_published(kota_contoh: Agency) -> None:
    text = demo_text("izin-usaha-mikro").replace("position: analis-perizinan", "position: kasir")
    with pytest.raises(DefinitionErrors) as caught:
        publish_text(text, "ium.yaml")
    assert [e.problem for e in caught.value] == [
        "steps[2].position: agency 'kota-contoh' has no position 'kasir'"
    ]
    assert not Service.objects.exists()


def test_an_unknown_agency_is_reported(db: None) -> None:
    with pytest.raises(DefinitionErrors) as caught:
        publish_text(demo_text("izin-usaha-mikro"), "ium.yaml")
    agency_line = demo_text("izin-usaha-mikro").splitlines().index("agency: kota-contoh") + 1
    assert [(e.line, e.problem) for e in caught.value] == [
        (agency_line, "agency: there is no agency 'kota-contoh'")
    ]


def run(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("services", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue() + str(exc), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def test_cli_validate_prints_ok_for_each_good_file(kota_contoh: Agency) -> None:
    out, _err, code = run("validate", str(SERVICES_DIR))
    assert code == 0
    assert sorted(out.splitlines()) == sorted(
        f"{path}: OK" for path in sorted(SERVICES_DIR.glob("*.yaml"))
    )


def test_cli_validate_prints_file_line_message_and_fails(
    kota_contoh: Agency, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    text = demo_text("surat-keterangan-domisili")
    bad.write_text(
        text.replace("position: lurah-sukamaju", "position: lurah-sukamundur").replace(
            "next: selesai", "next: tamat"
        )
    )
    shutil.copy(SERVICES_DIR / "izin-usaha-mikro.yaml", tmp_path / "good.yaml")
    out, err, code = run("validate", str(tmp_path))
    assert code == 1
    broken = bad.read_text().splitlines()
    position_line = next(i for i, line in enumerate(broken, 1) if "lurah-sukamundur" in line)
    next_line = next(i for i, line in enumerate(broken, 1) if "next: tamat" in line)
    assert (
        f"{bad}:{position_line}: steps[2].position: "
        "agency 'kota-contoh' has no position 'lurah-sukamundur'" in err
    )
    assert f"{bad}:{next_line}: steps[4].next: there is no step 'tamat'" in err
    assert f"{tmp_path / 'good.yaml'}: OK" in out


def test_cli_publish_reports_new_and_unchanged_versions(kota_contoh: Agency) -> None:
    out, _err, code = run("publish", str(SERVICES_DIR))
    assert code == 0
    assert "published izin-reklame version 1" in out
    out, _err, code = run("publish", str(SERVICES_DIR / "izin-reklame.yaml"))
    assert code == 0
    assert "unchanged; izin-reklame version 1 has this content" in out
    assert Service.objects.count() == 3


def test_cli_publish_refuses_a_file_that_does_not_validate(
    kota_contoh: Agency, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(demo_text("izin-reklame").replace("code: izin-reklame", "code: Izin Reklame"))
    _out, err, code = run("publish", str(bad))
    assert code == 1
    code_line = bad.read_text().splitlines().index("code: Izin Reklame") + 1
    assert f"{bad}:{code_line}: code: 'Izin Reklame' must be" in err
    assert not Service.objects.exists()


def test_cli_reports_a_missing_path(db: None) -> None:
    _out, err, code = run("validate", "/nonexistent/services")
    assert code == 1
    assert "does not exist" in err
