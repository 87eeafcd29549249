import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from loket.core import pii
from loket.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


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
