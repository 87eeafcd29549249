"""Each demo service driven through the API: submit → checks → officers → outcome, with e-mail."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from loket.cases.models import Case, CaseEvent
from tests.cases.conftest import NIK, post_application
from tests.documents.samples import pdf_bytes, png_bytes
from tests.helpers import issue_requested_documents

pytestmark = [pytest.mark.django_db(transaction=True)]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


SERVICES = {
    "izin-usaha-mikro": {
        "data": {
            "nama_usaha": "Warung Bu Sri",
            "bidang_usaha": "kuliner",
            "alamat_usaha": "Jl. Melati No. 5",
            "modal_usaha": 25_000_000,
            "hasil_penjualan_tahunan": 150_000_000,
        },
        "documents": lambda: {"ktp": _pdf("ktp.pdf"), "foto_lokasi": _png("lokasi.png")},
        "officers": [
            ("verifikasi-berkas", "andi"),
            ("kajian-teknis", "siti"),
            ("persetujuan", "dewi"),  # Plt of the head of division
        ],
    },
    "izin-reklame": {
        "data": {
            "nama_pemohon": "CV Maju Jaya",
            "npwp": "012345678901234",
            "telepon": "081234567890",
            "jenis_reklame": "baliho",
            "naskah_reklame": "Diskon 50%",
            "alamat_lokasi": "Jl. Asia Afrika 10",
            "kelas_jalan": "kolektor",
            "panjang_m": 4,
            "lebar_m": 2,
            "jumlah_sisi": 1,
            "durasi_bulan": 3,
        },
        "documents": lambda: {
            "ktp": _pdf("ktp.pdf"),
            "npwp": _pdf("npwp.pdf"),
            "desain_reklame": _png("desain.png"),
            "foto_lokasi": _png("lokasi.png"),
            "persetujuan_pemilik_lahan": _pdf("persetujuan.pdf"),
        },
        "officers": [
            ("verifikasi-berkas", "rina"),
            ("kajian-tata-ruang", "rudi"),
            ("kajian-pajak", "maya"),
            ("persetujuan", "dewi"),
        ],
        # Pajak reklame is paid (here by the demo provider's signed callback) before issue.
        "pays": True,
    },
    "surat-keterangan-domisili": {
        "data": {
            "nama_lengkap": "Sri Wahyuni",
            "nik": NIK,
            "tanggal_lahir": "1990-04-15",
            "alamat": "Jl. Kenanga No. 7",
            "rt": "003",
            "rw": "005",
            "status_tempat_tinggal": "sewa",
            "lama_tinggal_bulan": 24,
            "keperluan": "Pembukaan rekening bank",
        },
        "documents": lambda: {
            "ktp": _pdf("ktp.pdf"),
            "kartu_keluarga": _pdf("kk.pdf"),
            "surat_pengantar_rt_rw": _pdf("pengantar.pdf"),
        },
        "officers": [("persetujuan-lurah", "agus")],
    },
}


def _pay_in_demo(number: str) -> None:
    from loket.payments import services as payments
    from loket.payments.models import Bill

    bill = Bill.objects.get(case__tracking_number=number, status="waiting")
    payments.pay_in_demo(billing_code=bill.billing_code)


def _deliver() -> None:
    call_command("worker", "--batch", "--no-schedule")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_demo_service_runs_from_submission_to_issued_document(
    service, demo, client, token_for, smtp_server
):
    spec = SERVICES[service]
    response = post_application(
        client, service=service, data=spec["data"], documents=spec["documents"]()
    )
    assert response.status_code == 201, response.content
    receipt = response.json()
    number = receipt["tracking_number"]
    assert receipt["timeline"][1]["kind"] == "auto_step"

    for step, username in spec["officers"]:
        headers = token_for(username)
        queue = client.get("/api/v1/tasks", headers=headers).json()
        [task] = [t for t in queue if t["tracking_number"] == number and t["step"] == step]
        claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers)
        assert claimed.status_code == 200, claimed.content
        decided = client.post(
            f"/api/v1/tasks/{task['id']}/decision",
            json.dumps({"decision": "approve"}),
            content_type="application/json",
            headers=headers,
        )
        assert decided.status_code == 200, decided.content
    if spec.get("pays"):
        _pay_in_demo(number)
    issue_requested_documents()  # the worker's part

    status = client.get(
        f"/api/v1/applications/{number}", headers={"X-Access-Code": receipt["access_code"]}
    ).json()
    assert status["status"] == "approved"
    assert status["current_steps"] == []
    issued = CaseEvent.objects.get(case__tracking_number=number, kind="issued")
    assert issued.payload["document_number"]
    if service != "surat-keterangan-domisili":
        approval = CaseEvent.objects.get(
            case__tracking_number=number, kind="decided", step_id="persetujuan"
        )
        assert approval.capacity == "plt"
        assert approval.officer.user.username == "dewi"

    _deliver()
    to_applicant = [m for m in smtp_server.messages if m.rcpt_tos == ["sri@example.id"]]
    # received, issued (and for a payment step: bill issued, payment received)
    assert len(to_applicant) == (4 if spec.get("pays") else 2)
    assert all(number in m.text for m in to_applicant)
    assert Case.objects.get(tracking_number=number).outcome == "approved"
