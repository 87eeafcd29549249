"""The complaint pages and who may see what: anonymous visitors, complainants with and
without the access code, officers of another unit, the handling officer, the administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.complaints import services
from loket.complaints.models import Complaint, Status, Tier
from tests.complaints.conftest import file, officer, reload

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Petugas meminta uang tambahan di loket tiga."


def _form(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "pelayanan-perizinan",
        "subject": "service",
        "service_code": "izin-usaha-mikro",
        "description": SECRET_TEXT,
        "attribute[jenis_masalah]": "pungutan",
        "name": "Sri Wahyuni",
        "email": "sri@example.id",
        **overrides,
    }


def test_filing_shows_the_access_code_once_and_opens_the_follow_page(demo: Any) -> None:
    client = Client()
    response = client.post("/pengaduan/baru/", _form())
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.service.code == "izin-usaha-mikro"
    receipt = client.get(response["Location"])
    code = receipt.context["access_code"]
    assert len(code) == 8 and code in receipt.content.decode()
    assert client.get(response["Location"]).context["access_code"] == ""
    follow = client.get(f"/pengaduan/{complaint.tracking_number}/ikuti/")
    assert follow.status_code == 200 and SECRET_TEXT in follow.content.decode()


def test_the_form_refuses_more_complaints_to_one_phone_than_the_limit(demo: Any, settings) -> None:
    settings.LOKET_SUBMISSIONS_PER_PHONE = 1
    client = Client()
    assert client.post("/pengaduan/baru/", _form(phone="081234567890")).status_code == 302
    refused = client.post("/pengaduan/baru/", _form(phone="081234567890", email="b@example.id"))
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors()
    assert Complaint.objects.count() == 1


def test_bad_input_on_the_form_is_a_422_naming_the_field(demo: Any) -> None:
    response = Client().post("/pengaduan/baru/", _form(description="<script>x</script>"))
    assert response.status_code == 422
    assert "description" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_the_follow_page_needs_the_access_code(demo: Any) -> None:
    filing = file()
    number = filing.complaint.tracking_number
    stranger = Client()
    assert stranger.get(f"/pengaduan/{number}/ikuti/").status_code == 302
    assert (
        stranger.post(f"/pengaduan/{number}/tanggapan/", {"is_satisfied": "yes"}).status_code == 404
    )
    assert stranger.post(f"/pengaduan/{number}/keterangan/", {"text": "x"}).status_code == 404
    wrong = stranger.post(
        "/pengaduan/lacak/", {"tracking_number": number, "access_code": "AAAAAAAA"}
    )
    assert wrong.status_code == 422
    right = stranger.post(
        "/pengaduan/lacak/", {"tracking_number": number, "access_code": filing.access_code}
    )
    assert right.status_code == 302
    assert stranger.get(f"/pengaduan/{number}/ikuti/").status_code == 200


def test_complainant_adds_information_and_replies_through_the_pages(demo: Any) -> None:
    client = Client()
    client.post("/pengaduan/baru/", _form())
    complaint = Complaint.objects.get()
    number = complaint.tracking_number
    services.ask_information(
        complaint_id=complaint.pk, officer=officer("andi"), question="Kapan Anda datang ke loket?"
    )
    assert client.post(f"/pengaduan/{number}/keterangan/", {"text": ""}).status_code == 422
    assert (
        client.post(f"/pengaduan/{number}/keterangan/", {"text": "Senin pagi."}).status_code == 302
    )
    services.verify(complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT)
    services.answer(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        text="Petugas telah diperiksa dan dikenai sanksi.",
    )
    response = client.post(f"/pengaduan/{number}/tanggapan/", {"is_satisfied": "no", "text": ""})
    assert response.status_code == 422  # reopening needs a reason
    response = client.post(
        f"/pengaduan/{number}/tanggapan/", {"is_satisfied": "no", "text": "Uang belum kembali."}
    )
    assert response.status_code == 302
    assert reload(complaint).status == Status.IN_FOLLOW_UP


def test_public_pages_show_no_personal_data_and_no_confidential_complaint(demo: Any) -> None:
    public = file(name="Sri Wahyuni", email="sri@example.id").complaint
    secret = file(
        description="Rahasia: atasan saya menyalahgunakan wewenang.", is_confidential=True
    ).complaint
    client = Client()
    listing = client.get("/pengaduan/").content.decode()
    assert public.tracking_number in listing and secret.tracking_number not in listing
    assert "Sri" not in listing and "sri@example.id" not in listing
    page = client.get(f"/pengaduan/{public.tracking_number}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sri" not in text and "sri@example.id" not in text and "0812" not in text
    assert client.get(f"/pengaduan/{secret.tracking_number}/").status_code == 404


def test_counts_per_unit_include_overdue(demo: Any) -> None:
    from tests.complaints.conftest import at

    file(now=at(2))  # verification due 5 March: long overdue by now
    response = Client().get("/pengaduan/")
    counts = {row.unit_name: row for row in response.context["counts"]}
    row = counts["Bidang Pelayanan Perizinan"]
    assert (row.received, row.overdue) == (1, 1)


def test_workspace_pages_by_role(demo: Any, officer_client: Any) -> None:
    complaint = file(is_anonymous=True).complaint
    url = f"/workspace/pengaduan/{complaint.pk}/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/workspace/" in anonymous["Location"]
    assert officer_client("maya").get(url).status_code == 404  # another unit
    assert officer_client("dewi").get(url).status_code == 404  # handler, not yet verified
    admin = officer_client("andi").get(url)
    assert admin.status_code == 200 and "sri@example.id" in admin.content.decode()
    services.verify(complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT)
    handler = officer_client("dewi").get(url)
    assert handler.status_code == 200
    assert handler.context["view"].may_act
    assert "sri@example.id" not in handler.content.decode()  # anonymous: withheld from them
    assert officer_client("maya").post(url, {"action": "answer"}).status_code == 404
    assert officer_client("andi").post(url, {"action": "answer"}).status_code == 404  # read-only


def test_named_complainant_is_visible_to_the_handler(demo: Any, officer_client: Any) -> None:
    complaint = file(is_anonymous=False).complaint
    services.verify(complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT)
    page = officer_client("dewi").get(f"/workspace/pengaduan/{complaint.pk}/")
    assert "sri@example.id" in page.content.decode()


def test_an_applicant_account_is_not_an_officer(demo: Any) -> None:
    from django.contrib.auth import get_user_model

    complaint = file().complaint
    client = Client()
    client.force_login(get_user_model().objects.create_user("warga", "warga@example.id", "x"))
    assert client.get(f"/workspace/pengaduan/{complaint.pk}/").status_code == 403
    assert client.get("/workspace/pengaduan/").status_code == 403


def test_officer_acts_through_the_page(demo: Any, officer_client: Any) -> None:
    complaint = file().complaint
    url = f"/workspace/pengaduan/{complaint.pk}/"
    andi = officer_client("andi")
    assert andi.post(url, {"action": "verify", "tier": "bogus"}).status_code == 422
    assert andi.post(url, {"action": "verify", "tier": Tier.NORMATIVE}).status_code == 302
    dewi = officer_client("dewi")
    queue = dewi.get("/workspace/pengaduan/")
    assert complaint.tracking_number in queue.content.decode()
    short = dewi.post(url, {"action": "answer", "answer-text": "ok"})
    assert short.status_code == 422
    done = dewi.post(url, {"action": "answer", "answer-text": "Izin Anda terbit hari ini."})
    assert done.status_code == 302
    assert reload(complaint).status == Status.ANSWERED


def test_photos_are_for_the_officers_who_may_see_the_complaint(
    demo: Any, officer_client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.samples import png_bytes

    photo = SimpleUploadedFile("baliho.png", png_bytes(), content_type="image/png")
    complaint = file(photos=[photo]).complaint
    url = f"/workspace/pengaduan/{complaint.pk}/foto/{complaint.photos.get().pk}/"
    shown = officer_client("andi").get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert officer_client("maya").get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_complaints_queue_comes_in_pages(
    demo: Any, officer_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loket.workspace import selectors as workspace_selectors

    monkeypatch.setattr(workspace_selectors, "PAGE_SIZE", 2)
    numbers = {file().complaint.tracking_number for _ in range(3)}
    andi = officer_client("andi")

    def shown(page: str) -> list[str]:
        response = andi.get("/workspace/pengaduan/", {"page": page})
        assert response.status_code == 200
        return [c.tracking_number for c in response.context["complaints"]]

    first = andi.get("/workspace/pengaduan/").content.decode()
    assert "Menampilkan 1–2 dari 3 (halaman 1 dari 2)" in first
    assert 'href="?page=2" rel="next"' in first
    assert len(shown("1")) == 2
    assert set(shown("1") + shown("2")) == numbers  # none left out, as the old cap of 200 did
