"""Archive codes from Permendagri 83/2022 (not the repealed 78/2012), validated against
the agency's classification, and archive metadata on every case file and document."""

from __future__ import annotations

import pytest

from loket.cases import services
from loket.cases.models import Case, Task, TaskStatus
from loket.catalog.errors import DefinitionErrors
from loket.catalog.loader import validate
from loket.catalog.services import publish_text
from loket.documents.models import IssuedDocument
from tests.cases.conftest import officer, post_application
from tests.catalog.conftest import demo_text
from tests.helpers import issue_requested_documents

pytestmark = pytest.mark.django_db

CODE_LINE = 'classification: "500.16"'


def _problems(text: str, known: set[str] | None = None) -> list[str]:
    return [e.problem for e in validate(text, "x.yaml", known_archive_codes=known)]


@pytest.mark.parametrize("code", ["503", "500.16.x", "5OO.16", "500.123", "500.1.2.3.4"])
def test_a_code_outside_the_scheme_or_the_agency_table_is_refused(code):
    text = demo_text("izin-usaha-mikro").replace(CODE_LINE, f'classification: "{code}"')
    found = _problems(text, known={"500.16", "400.12"})
    assert any(p.startswith("archive.classification") for p in found), found


def test_the_demo_codes_are_in_the_demo_classification():
    for name in ("izin-usaha-mikro", "izin-reklame", "surat-keterangan-domisili"):
        assert _problems(demo_text(name), known={"500.16", "400.12"}) == []


def test_klasifikasi_in_the_number_needs_a_classification():
    text = demo_text("izin-usaha-mikro")
    archive = text[text.index("archive:") : text.index("product:")]
    found = _problems(text.replace(archive, ""))
    assert any("{klasifikasi}" in p and "archive.classification" in p for p in found), found


def test_publishing_checks_the_code_against_the_agency_table(demo):
    text = demo_text("izin-usaha-mikro").replace(CODE_LINE, 'classification: "503"')
    with pytest.raises(DefinitionErrors) as refused:
        publish_text(text)
    assert "503" in str(refused.value)


def test_case_file_and_issued_document_carry_code_and_access_class(demo, client):
    number = post_application(client).json()["tracking_number"]
    for step, who in (
        ("verifikasi-berkas", "andi"),
        ("kajian-teknis", "siti"),
        ("persetujuan", "dewi"),
    ):
        task = Task.objects.get(case__tracking_number=number, step_id=step, status=TaskStatus.OPEN)
        services.decide(task_id=task.pk, officer=officer(who), decision="approve")
    issue_requested_documents()

    case = Case.objects.get(tracking_number=number)
    assert (case.archive_code, case.access_class) == ("500.16", "terbatas")
    document = IssuedDocument.objects.get(case=case)
    assert (document.archive_code, document.access_class) == ("500.16", "biasa")
    assert document.number.startswith("500.16/0001/IUM/DPMPTSP/")


def test_archive_metadata_is_shown_in_the_admin(demo, client):
    from django.contrib.auth import get_user_model

    from loket.catalog.models import ArchiveClass
    from tests.helpers import login_with_second_factor

    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    login_with_second_factor(client, user)
    page = client.get("/admin/catalog/archiveclass/").content.decode()
    assert "500.16" in page and "Penanaman Modal" in page
    assert ArchiveClass.objects.filter(code="400.12").exists()


def test_the_officer_export_of_a_case_carries_its_archive_metadata(demo, client, token_for):
    number = post_application(client).json()["tracking_number"]
    detail = client.get(f"/api/v1/cases/{number}", headers=token_for("andi")).json()
    assert detail["archive"] == {"classification_code": "500.16", "access_class": "terbatas"}
