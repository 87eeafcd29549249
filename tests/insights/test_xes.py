"""The XES event log, read back by pm4py (a real process-mining reader)."""

from __future__ import annotations

from pathlib import Path

import pm4py
import pytest

from loket.cases.models import Case, CaseEvent
from loket.org.models import Officer, Unit

pytestmark = pytest.mark.django_db
URL = "/workspace/kinerja/log.xes"


def download(client, tmp_path: Path, **params: object) -> Path:  # type: ignore[no-untyped-def]
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].endswith('.xes"')
    path = tmp_path / "log.xes"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_pm4py_reads_every_exported_event(july_cases, signed_in, tmp_path: Path) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    path = download(signed_in("bambang"), tmp_path, unit=unit.pk, bulan="2026-07")
    log = pm4py.read_xes(str(path))
    assert len(log) == CaseEvent.objects.filter(case__in=july_cases).count()
    assert set(log["case:concept:name"]) == {c.tracking_number for c in july_cases}
    assert {"verifikasi-berkas", "kajian-teknis", "persetujuan"} <= set(log["concept:name"])
    assert {"petugas-front-office", "analis-perizinan", "kabid-perizinan"} <= set(
        log["org:resource"].dropna()
    )
    first = log[log["case:concept:name"] == july_cases[0].tracking_number]
    assert list(first["time:timestamp"]) == sorted(first["time:timestamp"])


def test_the_log_names_positions_never_people(july_cases, signed_in, tmp_path: Path) -> None:
    text = download(signed_in("bambang"), tmp_path).read_text(encoding="utf-8")
    for officer in Officer.objects.all():
        assert officer.name not in text
        assert officer.nip not in text
    for case in Case.objects.all():
        assert case.applicant_name not in text
        assert case.applicant_nik not in text
    assert "Foto lokasi buram" not in text  # reasons are free text: never exported


def test_only_a_head_of_the_unit_may_export(july_cases, signed_in) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    assert signed_in("siti").get(URL).status_code == 403
    assert signed_in("dewi").get(URL, {"unit": unit.pk}).status_code == 403
