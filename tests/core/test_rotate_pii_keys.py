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
