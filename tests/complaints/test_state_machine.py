"""The SP4N-LAPOR! stages on the agency's working calendar (2026, with cuti bersama)."""

from __future__ import annotations

from typing import Any

import pytest

from loket.complaints import services
from loket.complaints.models import ComplaintEvent, Status, Tier
from loket.core.errors import AuthorityError, ConflictError, ValidationError
from loket.ledger.models import LedgerEntry
from loket.notify.models import OutboxMessage
from tests.complaints.conftest import at, file, officer, reload

pytestmark = pytest.mark.django_db


def test_verification_deadline_skips_cuti_bersama_and_nyepi(demo: Any) -> None:
    # Filed Monday 16 March: 18, 20, 23, 24 are cuti bersama, 19 Nyepi, 21-22 Idul Fitri.
    filing = file(now=at(16))
    complaint = filing.complaint
    assert complaint.status == Status.RECEIVED
    assert complaint.tracking_number.startswith("ADU-2026-")
    assert complaint.verify_due_at == at(26)
    assert complaint.position.code == "petugas-front-office"


def test_accepting_sets_tier_deadline_from_verification_and_hands_to_handler(demo: Any) -> None:
    complaint = file(now=at(13)).complaint
    services.verify(
        complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.NORMATIVE, now=at(17, 10)
    )
    complaint = reload(complaint)
    assert complaint.status == Status.VERIFIED
    assert complaint.verified_on_time is True
    # 5 working days from Tuesday 17 March 10:00, over the Lebaran cuti bersama.
    assert complaint.due_at == at(31, 10)
    assert complaint.position.code == "kabid-perizinan"
    event = complaint.events.get(kind="verified")
    assert (event.officer.nip, event.position.code, event.capacity) == (
        officer("andi").nip,
        "petugas-front-office",
        "definitive",
    )


def test_asking_for_information_pauses_the_clock_and_the_reply_resumes_it(demo: Any) -> None:
    complaint = file(now=at(16)).complaint  # verification due 26 March 09:00
    services.ask_information(
        complaint_id=complaint.pk,
        officer=officer("andi"),
        question="Sebutkan nomor permohonan izin Anda.",
        now=at(17, 10),
    )
    complaint = reload(complaint)
    assert complaint.status == Status.AWAITING_INFO
    assert complaint.remaining_seconds == 15 * 3600
    assert not complaint.is_overdue_at(at(27))  # paused: no clock runs
    services.supply_information(
        complaint_id=complaint.pk, text="Nomor IUM-2026-000123.", now=at(30)
    )
    complaint = reload(complaint)
    assert complaint.status == Status.RECEIVED
    # 15 working hours from Monday 30 March 09:00: 7 that day, 8 on Tuesday.
    assert complaint.verify_due_at == at(31, 16)


def test_pause_during_follow_up_keeps_the_tier_time_left(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    services.verify(
        complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT, now=at(2, 10)
    )
    due_before = reload(complaint).due_at  # Wednesday 4 March 10:00
    assert due_before == at(4, 10)
    services.ask_information(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        question="Di loket mana kejadiannya?",
        now=at(3, 10),
    )
    services.supply_information(complaint_id=complaint.pk, text="Loket 3.", now=at(9, 10))
    complaint = reload(complaint)
    assert complaint.status == Status.VERIFIED
    assert complaint.due_at == at(10, 10)  # the 8 working hours left, from Monday 9 March


def test_rejecting_needs_a_reason_and_closes(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    with pytest.raises(ValidationError) as short:
        services.reject(complaint_id=complaint.pk, officer=officer("andi"), reason="no")
    assert short.value.field == "reason"
    services.reject(
        complaint_id=complaint.pk,
        officer=officer("andi"),
        reason="Bukan kewenangan Pemerintah Kota Contoh.",
        now=at(3),
    )
    complaint = reload(complaint)
    assert complaint.status == Status.REJECTED
    assert complaint.status_notes.startswith("Bukan kewenangan")
    assert complaint.closed_at == at(3)


def test_answer_starts_auto_close_timer_and_silence_closes(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    services.verify(
        complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.NORMATIVE, now=at(2, 10)
    )
    services.answer(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        text="Izin Anda telah terbit; petugas yang lalai telah ditegur.",
        now=at(4),
    )
    complaint = reload(complaint)
    assert complaint.status == Status.ANSWERED
    assert complaint.answered_on_time is True
    # 10 working days from 4 March, skipping 18-24 March.
    assert complaint.close_due_at == at(25)
    assert services.close_unanswered(now=at(24, 15)) == 0
    assert services.close_unanswered(now=at(25, 9)) == 1
    complaint = reload(complaint)
    assert complaint.status == Status.CLOSED
    assert complaint.events.last().payload == {"by": "timer"}


def test_unsatisfied_reply_reopens_and_cancels_the_timer(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    services.verify(
        complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT, now=at(2, 10)
    )
    services.answer(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        text="Sudah kami tindak lanjuti dengan petugas.",
        now=at(3),
    )
    services.reply(
        complaint_id=complaint.pk,
        text="Izin saya tetap belum terbit.",
        is_satisfied=False,
        now=at(5),
    )
    complaint = reload(complaint)
    assert complaint.status == Status.IN_FOLLOW_UP
    assert complaint.close_due_at is None
    assert complaint.due_at == at(9)  # a fresh 2 working days from Thursday 5 March
    assert services.close_unanswered(now=at(30)) == 0
    assert reload(complaint).status == Status.IN_FOLLOW_UP


def test_satisfied_reply_closes(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    services.verify(complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT)
    services.answer(
        complaint_id=complaint.pk, officer=officer("dewi"), text="Izin Anda telah terbit hari ini."
    )
    services.reply(complaint_id=complaint.pk, text="", is_satisfied=True)
    assert reload(complaint).status == Status.CLOSED


def test_overdue_verification_escalates_once_to_the_head_above(demo: Any) -> None:
    complaint = file(now=at(2)).complaint  # due Thursday 5 March 09:00
    assert services.escalate_overdue(now=at(5, 8)) == 0
    assert services.escalate_overdue(now=at(5, 10)) == 1
    assert services.escalate_overdue(now=at(5, 11)) == 0
    event = reload(complaint).events.get(kind="escalated")
    assert event.payload["superior_position"] == "kabid-perizinan"
    assert event.payload["notified"] == [officer("dewi").nip]
    recipients = [m.recipient for m in OutboxMessage.objects.filter(event="task_overdue_escalated")]
    assert "dewi@kotacontoh.go.id" in recipients


def test_only_a_holder_of_the_queue_position_may_act(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    for stranger in ("dewi", "maya"):  # the handler before verification; another unit
        with pytest.raises(AuthorityError):
            services.verify(complaint_id=complaint.pk, officer=officer(stranger), tier=Tier.LIGHT)
    services.verify(complaint_id=complaint.pk, officer=officer("rina"), tier=Tier.LIGHT)
    with pytest.raises(AuthorityError):
        services.answer(
            complaint_id=complaint.pk, officer=officer("andi"), text="Jawaban dari loket depan."
        )
    with pytest.raises(ConflictError):
        services.verify(complaint_id=complaint.pk, officer=officer("rina"), tier=Tier.LIGHT)


def test_switches_can_be_raised_at_verification_never_lowered(demo: Any) -> None:
    complaint = file(now=at(2), is_anonymous=True).complaint
    services.verify(
        complaint_id=complaint.pk,
        officer=officer("andi"),
        tier=Tier.LIGHT,
        make_confidential=True,
        make_anonymous=False,
    )
    complaint = reload(complaint)
    assert complaint.is_confidential is True
    assert complaint.is_anonymous is True


def test_raising_the_tier_recomputes_from_verification(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    services.verify(
        complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT, now=at(2, 10)
    )
    services.raise_tier(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        tier=Tier.NON_SUPERVISORY,
        reason="Perlu pemeriksaan dokumen.",
        now=at(3),
    )
    complaint = reload(complaint)
    assert complaint.tier == Tier.NON_SUPERVISORY
    # 14 working days from 2 March 10:00, over Nyepi and Lebaran: 2-6, 9-13, 16-17, 25-26 → 27.
    assert complaint.due_at == at(27, 10)
    with pytest.raises(ValidationError):
        services.raise_tier(
            complaint_id=complaint.pk,
            officer=officer("dewi"),
            tier=Tier.LIGHT,
            reason="Turunkan saja tingkatnya.",
        )


def test_every_transition_is_on_the_ledger_without_personal_data(demo: Any) -> None:
    complaint = file(now=at(2), name="Sri Wahyuni", email="sri@example.id").complaint
    services.verify(complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT)
    entries = LedgerEntry.objects.filter(kind="complaint.event").order_by("index")
    assert [e.payload["kind"] for e in entries] == ["received", "verified"]
    text = " ".join(e.canonical for e in entries)
    assert "Sri" not in text and "sri@example.id" not in text and "0812" not in text
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == 2


def test_contact_data_is_encrypted_at_rest(demo: Any) -> None:
    from django.db import connection

    complaint = file(now=at(2), name="Sri Wahyuni", email="sri@example.id").complaint
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_name, reporter_email, reporter_phone FROM complaints_complaint "
            "WHERE id = %s",
            [complaint.pk],
        )
        row = cursor.fetchone()
    assert "Sri" not in row[0] and "sri@" not in row[1] and "0812" not in row[2]
    assert reload(complaint).reporter_email == "sri@example.id"


def test_receipt_notification_goes_through_the_outbox(demo: Any) -> None:
    file(now=at(2), email="sri@example.id", phone="")
    message = OutboxMessage.objects.get(event="complaint_received")
    assert message.recipient == "sri@example.id"
    assert "ADU-2026-" in message.subject


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "x" * 4001}, "description"),
        ({"description": "Lihat <script>alert(1)</script>"}, "description"),
        ({"description": "  "}, "description"),
        ({"latitude": "-6.9"}, "long"),
        ({"latitude": "91", "longitude": "107"}, "lat"),
        ({"attributes": {}}, "attribute[jenis_masalah]"),
        ({"attributes": {"jenis_masalah": "suap"}}, "attribute[jenis_masalah]"),
        ({"email": "bukan-email"}, "email"),
        ({"subject": "case", "case_tracking_number": "IUM-2026-000001"}, "case_tracking_number"),
    ],
)
def test_bad_input_names_the_field(demo: Any, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        file(now=at(2), **fields)
    assert refused.value.field == field


def test_only_administrators_archive_finished_complaints(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    with pytest.raises(ConflictError):
        services.archive(complaint_id=complaint.pk, officer=officer("andi"))
    services.reject(
        complaint_id=complaint.pk,
        officer=officer("andi"),
        reason="Bukan kewenangan Pemerintah Kota Contoh.",
    )
    with pytest.raises(AuthorityError):
        services.archive(complaint_id=complaint.pk, officer=officer("dewi"))
    services.archive(complaint_id=complaint.pk, officer=officer("rina"))
    assert reload(complaint).status == Status.ARCHIVED


def test_photos_follow_the_upload_rules_of_applications(demo: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.samples import pdf_bytes, png_bytes

    photo = SimpleUploadedFile("baliho.png", png_bytes(), content_type="image/png")
    complaint = file(now=at(2), photos=[photo]).complaint
    assert [p.stored_file.kind for p in complaint.photos.all()] == ["png"]
    not_a_photo = SimpleUploadedFile("surat.png", pdf_bytes(), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        file(now=at(2), photos=[not_a_photo])
    assert refused.value.field == "photos"
