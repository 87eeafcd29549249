import logging

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from loket.core import pii
from loket.core.logging import RedactPersonalData, mask_digits


@given(st.text(max_size=200))
def test_encrypted_value_decrypts_to_the_original(value: str) -> None:
    assert pii.decrypt(pii.encrypt(value)) == value


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    assert "3201014508900003" not in pii.encrypt("3201014508900003")


def test_old_key_still_decrypts_after_a_new_key_is_put_first() -> None:
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    with override_settings(PII_KEYS=[old]):
        token = pii.encrypt("081234567890")
    with override_settings(PII_KEYS=[new, old]):
        assert pii.decrypt(token) == "081234567890"
        rotated = pii.rotate(token)
    with override_settings(PII_KEYS=[new]):
        assert pii.decrypt(rotated) == "081234567890"
        with pytest.raises(ValueError, match="cannot be decrypted"):
            pii.decrypt(token)


def test_lookup_hash_is_stable_and_keyed() -> None:
    first = pii.lookup_hash("3201014508900003")
    assert first == pii.lookup_hash(" 3201014508900003 ")
    with override_settings(PII_HASH_KEY="another-key"):
        assert pii.lookup_hash("3201014508900003") != first


def test_mask_keeps_only_the_ends_visible() -> None:
    assert pii.mask("3201014508900003") == "3201********0003"
    assert pii.mask("") == ""


def test_log_records_never_carry_nik_or_phone(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("loket.test")
    logger.addFilter(RedactPersonalData())
    with caplog.at_level(logging.INFO, logger="loket.test"):
        logger.info("applicant %s phone %s", "3201014508900003", "+62 812-3456-7890")
    assert "3201014508900003" not in caplog.text
    assert "812-3456-7890" not in caplog.text
    assert "applicant 32" in caplog.text


def test_mask_digits_leaves_short_numbers_alone() -> None:
    assert mask_digits("step 3 of 5, 2026") == "step 3 of 5, 2026"


@pytest.mark.parametrize(
    "line",
    [
        # The worker's task ids: "4512-3456-471" inside is a run of ten digits.
        "Task id=6b4d4512-3456-471d-ae3d-7771016bf20f path=loket.notify.tasks.sweep_outbox",
        "job 12345678-1234-1234-1234-123456789012 done",
        "due 2026-12-03 14:28:01, escalated at 2026-12-03T14:28:01.123+07:00",
        "sha256 3f12345678901234567890abcdef1234567890abcdef1234567890abcdef1234 stored",
    ],
)
def test_ids_dates_and_digests_stay_readable_in_logs(line: str) -> None:
    assert mask_digits(line) == line


def test_personal_numbers_beside_ids_and_dates_are_still_masked() -> None:
    line = (
        "NIK 3201014508900003 on 2026-12-03 task 6b4d4512-3456-471d-ae3d-7771016bf20f"
        " phone 0812 3456 7890 NIP 198503152010011002"
    )
    assert mask_digits(line) == (
        "NIK 32************03 on 2026-12-03 task 6b4d4512-3456-471d-ae3d-7771016bf20f"
        " phone 08**********90 NIP 19**************02"
    )
    # A hex run of the length of a digest, made only of digits, is a number, not a digest.
    assert "3201014508900003" not in mask_digits("x " + "3201014508900003" * 2 + " y")
