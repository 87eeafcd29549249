import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from loket.core import pii
from loket.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Rotation also rewrites stored files: never those of the developer's data directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "loket.core.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    return tmp_path / "files"


def _stored_ciphertext(message: OutboxMessage) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT recipient FROM {OutboxMessage._meta.db_table} WHERE id = %s", [message.pk]
        )
        return str(cursor.fetchone()[0])


def test_rotation_re_encrypts_personal_data_under_the_newest_key() -> None:
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    with override_settings(PII_KEYS=[old]):
        message = OutboxMessage.objects.create(
            channel="sms",
            recipient="+6281234567890",
            language="id",
            event="received",
            body="Permohonan diterima.",
            dedupe_key="rotation-test",
        )
        before = _stored_ciphertext(message)
    assert "6281234567890" not in before
    with override_settings(PII_KEYS=[new, old]):
        out = io.StringIO()
        call_command("rotate-pii-keys", stdout=out)
        assert "notify.OutboxMessage: 1 rows" in out.getvalue()
        after = _stored_ciphertext(message)
    assert after != before
    with override_settings(PII_KEYS=[new]):
        assert pii.decrypt(after) == "+6281234567890"
        assert OutboxMessage.objects.get(pk=message.pk).recipient == "+6281234567890"


def test_rotation_re_encrypts_stored_files_and_encrypts_those_in_clear(private_storage) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    with override_settings(PII_KEYS=[old]):
        name = default_storage.save("2026/01/ktp.pdf", ContentFile(b"%PDF-1.7 KTP Sri"))
    legacy = private_storage / "2026" / "01" / "legacy.png"
    legacy.write_bytes(b"\x89PNG old upload in clear")
    with override_settings(PII_KEYS=[new, old]):
        out = io.StringIO()
        call_command("rotate-pii-keys", stdout=out)
        assert "stored files: 2 re-encrypted" in out.getvalue()
    with override_settings(PII_KEYS=[new]):
        assert default_storage.open(name).read() == b"%PDF-1.7 KTP Sri"
        assert default_storage.open("2026/01/legacy.png").read() == b"\x89PNG old upload in clear"
    assert not legacy.read_bytes().startswith(b"\x89PNG")
    assert legacy.stat().st_mode & 0o777 == 0o600


def _raw_columns(model, pk, columns):
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quoted} FROM {model._meta.db_table} WHERE id = %s",
            [pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_rotation_covers_encrypted_json_columns_and_a_rerun_skips_what_is_done(
    private_storage,
) -> None:
    """Submitted data (EncryptedJSONField) was left under the old key before: removing
    that key made every application's data unreadable."""
    from loket.cases.models import Case
    from tests.cases.factories import make_case

    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    with override_settings(PII_KEYS=[old]):
        world = make_case(data={"keperluan": "Melamar kerja di Bandung"})
        before = _raw_columns(Case, world.case.pk, ["data", "applicant_nik"])
    with override_settings(PII_KEYS=[new, old]):
        out = io.StringIO()
        call_command("rotate-pii-keys", stdout=out)
        after = _raw_columns(Case, world.case.pk, ["data", "applicant_nik"])
        again = io.StringIO()
        call_command("rotate-pii-keys", stdout=again)
        assert _raw_columns(Case, world.case.pk, ["data", "applicant_nik"]) == after
    assert all(after[c] != before[c] for c in after)
    assert "cases.Case: 1 rows re-encrypted" in out.getvalue()
    assert "cases.Case: 0 rows re-encrypted" in again.getvalue()  # nothing left to do
    with override_settings(PII_KEYS=[new]):
        case = Case.objects.get(pk=world.case.pk)
        assert case.data["keperluan"] == "Melamar kerja di Bandung"
        assert case.applicant_nik == world.case.applicant_nik


def test_a_value_no_configured_key_opens_is_reported_and_the_rest_still_rotated(
    private_storage,
) -> None:
    from django.core.management.base import CommandError

    lost, old, new = (Fernet.generate_key().decode() for _ in range(3))
    with override_settings(PII_KEYS=[lost]):
        orphan = OutboxMessage.objects.create(
            channel="sms", recipient="+6281111111111", language="id", event="received",
            body="a", dedupe_key="orphan",
        )  # fmt: skip
    with override_settings(PII_KEYS=[old]):
        kept = OutboxMessage.objects.create(
            channel="sms", recipient="+6282222222222", language="id", event="received",
            body="b", dedupe_key="kept",
        )  # fmt: skip
    refused = pytest.raises(CommandError, match=r"cannot be decrypted.*notify.OutboxMessage")
    with override_settings(PII_KEYS=[new, old]), refused:
        call_command("rotate-pii-keys", stdout=io.StringIO())
    with override_settings(PII_KEYS=[new]):
        assert OutboxMessage.objects.get(pk=kept.pk).recipient == "+6282222222222"
    assert _stored_ciphertext(orphan)  # untouched, for an operator who finds the old key
