"""The unit head's report, publication to the ledger, exports, the kiosk and the public page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from loket.ledger.models import LedgerEntry
from loket.surveys import selectors, services
from loket.surveys.models import Channel, Response, Result, SuggestionStatus, SurveyPeriod

pytestmark = pytest.mark.django_db


def fill(period: SurveyPeriod, rows: list[list[int | None]], suggestion: str = "") -> None:
    services.import_responses(
        period=period,
        rows=[
            {**{f"U{i + 1}": v for i, v in enumerate(row)}, "suggestion": suggestion}
            for row in rows
        ],
    )


HAND_WORKED = [
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [3, 4, 2, 4, 3, 3, 4, 2, 3],
    [2, 3, 3, 4, 4, 3, 4, 3, None],
]


def test_head_of_the_unit_sees_the_report(period, signed_in) -> None:
    fill(period, HAND_WORKED)
    period.population = 10  # s(10) = 10 > 4 respondents
    period.save()

    page = signed_in("bambang").get(f"/workspace/survei/{period.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "83,56" in html  # Indonesian decimal comma
    assert "Sampel belum memenuhi" in html or "Sample not yet sufficient" in html
    priorities = page.context["lowest"]
    assert [row.code for row in priorities] == ["U1", "U3", "U8"]


def test_report_is_refused_to_an_officer_who_does_not_head_the_unit(period, signed_in) -> None:
    assert signed_in("andi").get(f"/workspace/survei/{period.pk}/").status_code == 404
    assert signed_in("yusuf").get(f"/workspace/survei/{period.pk}/").status_code == 404


def test_report_needs_a_signed_in_officer(period) -> None:
    page = Client().get(f"/workspace/survei/{period.pk}/")

    assert page.status_code == 302
    assert "/workspace/login/" in page["Location"]


def test_publishing_records_the_figures_with_a_hash_in_the_ledger(period, signed_in) -> None:
    fill(period, HAND_WORKED)
    before = LedgerEntry.objects.count()

    signed_in("bambang").post(f"/workspace/survei/{period.pk}/terbitkan/")

    result = Result.objects.get()
    assert (str(result.ikm), result.grade, result.respondents) == ("83.56", "B", 4)
    assert result.inputs_hash == selectors.inputs_hash(period)
    entry = LedgerEntry.objects.get(index=result.ledger_index)
    assert LedgerEntry.objects.count() == before + 1
    assert entry.kind == "survey.result"
    payload = json.dumps(entry.payload) if not isinstance(entry.payload, str) else entry.payload
    assert '"ikm": "83.56"' in payload and result.inputs_hash in payload


def test_the_inputs_hash_changes_when_a_response_is_altered(period) -> None:
    fill(period, HAND_WORKED)
    result = services.publish_result(period=period)

    Response.objects.filter(period=period, u1=2).update(u1=3)

    assert selectors.inputs_hash(period) != result.inputs_hash


def test_an_index_with_an_unanswered_element_is_not_published(period) -> None:
    fill(period, [[4, 4, 4, 4, 4, 4, 4, 4, None]])

    with pytest.raises(services.SurveyError) as raised:
        services.publish_result(period=period)
    assert raised.value.status == 409
    assert not Result.objects.exists()


def test_suggestions_are_public_only_after_review(period, signed_in) -> None:
    fill(period, [[4] * 9], suggestion="Tambah kursi ruang tunggu")
    fill(period, [[3] * 9], suggestion="Petugas bernama Budi kasar")
    services.publish_result(period=period)
    head = signed_in("bambang")
    public = f"/ikm/kota-contoh/{period.unit.code}/"

    assert "Tambah kursi" not in Client().get(public).content.decode()
    first, second = Response.objects.order_by("pk")
    head.post(f"/workspace/survei/{period.pk}/saran/{first.pk}/", {"decision": "publish"})
    head.post(f"/workspace/survei/{period.pk}/saran/{second.pk}/", {"decision": "hide"})

    html = Client().get(public).content.decode()
    assert "Tambah kursi ruang tunggu" in html
    assert "Budi" not in html
    second.refresh_from_db()
    assert second.suggestion_status == SuggestionStatus.HIDDEN


def test_review_with_an_unknown_decision_is_a_400(period, signed_in) -> None:
    fill(period, [[4] * 9], suggestion="Baik")
    response = Response.objects.get()

    page = signed_in("bambang").post(
        f"/workspace/survei/{period.pk}/saran/{response.pk}/", {"decision": "maybe"}
    )
    assert page.status_code == 400


def test_public_page_shows_the_published_index_and_the_sample_flag(period) -> None:
    fill(period, HAND_WORKED)
    services.publish_result(period=period)

    page = Client().get(f"/ikm/kota-contoh/{period.unit.code}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="ikm-value">83,56<' in html
    assert 'data-testid="ikm-grade">B<' in html
    # N is 0 closed cases here unless the period sets it; with N = 10 the sample is 10 > 4.
    period.population = 10
    period.save()
    services.publish_result(period=period)
    html = Client().get(f"/ikm/kota-contoh/{period.unit.code}/").content.decode()
    assert 'data-testid="sample-flag"' in html
    assert 'data-testid="trend-chart"' in html


def test_public_page_without_a_published_result(period) -> None:
    fill(period, HAND_WORKED)

    page = Client().get(f"/ikm/kota-contoh/{period.unit.code}/")

    assert page.status_code == 200
    assert "83,56" not in page.content.decode()


def test_public_page_of_an_unknown_unit_or_service_is_404(period) -> None:
    assert Client().get("/ikm/kota-contoh/nope/").status_code == 404
    assert Client().get(f"/ikm/kota-contoh/{period.unit.code}/nope/").status_code == 404


def test_exports_in_pdf_csv_and_xlsx(period, signed_in) -> None:
    fill(period, HAND_WORKED)
    head = signed_in("bambang")

    pdf = head.get(f"/workspace/survei/{period.pk}/ekspor.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "IKM: 83.56" in text and "Baik" in text

    rows = list(csv.reader(io.StringIO(head.get(f"/workspace/survei/{period.pk}/ekspor.csv")
                                        .content.decode("utf-8-sig"))))  # fmt: skip
    assert rows[0][2:11] == [f"U{i}" for i in range(1, 10)]
    assert len(rows) == 5

    xlsx = head.get(f"/workspace/survei/{period.pk}/ekspor.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 5

    assert head.get(f"/workspace/survei/{period.pk}/ekspor.doc").status_code == 404


def test_the_kiosk_records_walk_in_respondents(period, signed_in) -> None:
    kiosk = signed_in("andi")  # front office of a division of the unit

    page = kiosk.post(f"/workspace/survei/{period.pk}/kios/", {f"U{i}": "4" for i in range(1, 10)})

    assert page.status_code == 302
    assert Response.objects.get().channel == Channel.KIOSK
    bad = kiosk.post(f"/workspace/survei/{period.pk}/kios/", {"U1": "9"})
    assert bad.status_code == 422
    assert Response.objects.count() == 1


def test_the_kiosk_is_refused_to_officers_of_other_units(period, signed_in) -> None:
    assert signed_in("yusuf").get(f"/workspace/survei/{period.pk}/kios/").status_code == 404


def test_the_report_of_a_period_is_two_queries_whatever_the_number_of_responses(
    period, django_assert_num_queries
) -> None:
    fill(period, HAND_WORKED * 50)

    # One aggregate over the responses, one count of the closed cases (N).
    with django_assert_num_queries(2):
        report = selectors.report(period)
    assert report.result.respondents == 200


def test_the_running_tally_matches_the_rows_after_every_channel(period, signed_in) -> None:
    fill(period, HAND_WORKED)
    signed_in("andi").post(f"/workspace/survei/{period.pk}/kios/", {"U1": "2", "U5": "4"})

    assert selectors.tally(period) == selectors.tally_from_rows(period)
    assert selectors.tally(period).respondents == 5
    assert selectors.tally(period).totals["U1"] == (14, 5)


def test_publishing_counts_the_rows_and_repairs_a_drifted_tally(period) -> None:
    fill(period, HAND_WORKED)
    Response.objects.filter(period=period, u1=2).update(u1=4)  # behind the tally's back

    result = services.publish_result(period=period)

    assert result.elements["U1"]["total"] == 14
    assert selectors.tally(period) == selectors.tally_from_rows(period)


def _period_form(period: SurveyPeriod, **overrides: str) -> dict[str, str]:
    return {
        "unit": str(period.unit_id),
        "service": "",
        "code": "2027-s1",
        "name": "Semester I 2027",
        "starts_on": "2027-01-01",
        "ends_on": "2027-06-30",
        "population": "",
        **overrides,
    }


def test_the_head_of_the_unit_defines_a_period_in_the_workspace(period, signed_in) -> None:
    head = signed_in("bambang")
    response = head.post("/workspace/survei/", _period_form(period))
    assert response.status_code == 302
    made = SurveyPeriod.objects.get(code="2027-s1")
    assert (made.unit_id, made.starts_on.isoformat(), made.service_id) == (
        period.unit_id,
        "2027-01-01",
        None,
    )
    again = head.post("/workspace/survei/", _period_form(period))
    assert again.status_code == 422 and "code" in again.context["form"].errors


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2026-12-31"}, "ends_on"),
        ({"code": "bukan kode"}, "code"),
        ({"unit": "0"}, "unit"),
    ],
)
def test_a_bad_period_is_a_422_naming_the_field(period, signed_in, overrides, field) -> None:
    response = signed_in("bambang").post("/workspace/survei/", _period_form(period, **overrides))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not SurveyPeriod.objects.filter(name="Semester I 2027").exists()


def test_an_officer_who_heads_no_unit_cannot_define_a_period(period, signed_in) -> None:
    andi = signed_in("andi")
    assert andi.get("/workspace/survei/").context["form"] is None
    assert andi.post("/workspace/survei/", _period_form(period)).status_code == 404
    assert not SurveyPeriod.objects.filter(code="2027-s1").exists()
