"""Complaint categories as code: validation with file:line, loading, defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from loket.catalog.errors import DefinitionErrors
from loket.complaints.categories import load_file, validate_source
from loket.complaints.models import Category, ComplaintPolicy

pytestmark = pytest.mark.django_db

BAD = """\
agency: kota-contoh
jurisdiction_id: kotacontoh.go.id
admin_position: petugas-front-office
limits:
  tiers:
    sangat_ringan: 1
categories:
  - code: satu
    name: Satu
    unit: tidak-ada
    handler: kabid-perizinan
    attributes:
      - code: pilihan
        datatype: singlevaluelist
        description: Pilih
"""


def test_errors_point_at_their_lines(demo: Any) -> None:
    with translation.override("en"), pytest.raises(DefinitionErrors) as errors:
        validate_source(BAD, "kota.yaml")
    found = {(e.line, e.problem.split(" ")[0]) for e in errors.value}
    assert (6, "unknown") in found  # the unknown tier
    assert (10, "there") in found  # the unknown unit
    assert (14, "a") in found  # a list attribute without values
    assert all(str(e).startswith("kota.yaml:") for e in errors.value)


def test_defaults_apply_and_removed_categories_are_deactivated(demo: Any, tmp_path: Path) -> None:
    path = tmp_path / "kota.yaml"
    path.write_text(
        "agency: kota-contoh\njurisdiction_id: kotacontoh.go.id\n"
        "admin_position: petugas-front-office\ncategories:\n"
        "  - code: umum\n    name: Umum\n    unit: dpmptsp\n    handler: kepala-dpmptsp\n"
    )
    load_file(path)
    policy = ComplaintPolicy.objects.get(agency__code="kota-contoh")
    assert (
        policy.verification_days,
        policy.light_days,
        policy.normative_days,
        policy.non_supervisory_days,
        policy.supervisory_days,
        policy.auto_close_days,
    ) == (3, 2, 5, 14, 60, 10)
    assert not Category.objects.get(code="pelayanan-perizinan").is_active
    assert Category.objects.get(code="umum").is_active


def test_the_demo_file_validates_from_the_command(demo: Any, capsys: Any) -> None:
    call_command("complaint-categories", "validate")
    assert "kota-contoh.yaml: ok" in capsys.readouterr().out
