"""Accepted uploads are stored outside any web root under a random name; orphans are purged."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from loket.core.errors import ValidationError
from loket.documents.models import StoredFile
from loket.documents.services import open_stored, read_stored, store_upload

from .samples import NamedBytesIO, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def test_an_accepted_upload_is_stored_under_a_random_name(storage_dir):
    data = pdf_bytes()
    stored = store_upload(
        fileobj=io.BytesIO(data), original_name="../KTP Sri.pdf", allowed_types=["pdf"],
        max_bytes=MB,
    )  # fmt: skip
    assert stored.kind == "pdf"
    assert stored.original_name == "KTP_Sri.pdf"
    assert "KTP" not in stored.storage_name
    assert read_stored(stored) == data


def test_uploads_are_encrypted_at_rest_and_readable_by_the_service_only(storage_dir):
    data = pdf_bytes("KTP Sri Wahyuni 3171234501900001")
    stored = store_upload(
        fileobj=io.BytesIO(data), original_name="ktp.pdf", allowed_types=["pdf"], max_bytes=MB
    )
    on_disk = storage_dir / stored.storage_name
    raw = on_disk.read_bytes()
    assert raw != data
    assert b"%PDF" not in raw and b"3171234501900001" not in raw
    assert on_disk.stat().st_mode & 0o777 == 0o600
    assert on_disk.parent.stat().st_mode & 0o777 == 0o700
    assert read_stored(stored) == data


def test_a_refused_upload_leaves_nothing_behind(storage_dir):
    with pytest.raises(ValidationError) as refused:
        store_upload(
            fileobj=NamedBytesIO(png_bytes(), "x"), original_name="ktp.pdf",
            allowed_types=["pdf"], max_bytes=MB, field="ktp",
        )  # fmt: skip
    assert refused.value.field == "ktp"
    assert refused.value.message.startswith("ktp.pdf: ")
    assert StoredFile.objects.count() == 0
    assert not storage_dir.exists() or not any(p.is_file() for p in storage_dir.rglob("*"))


def test_stored_files_can_be_streamed(storage_dir):
    data = png_bytes((200, 200))
    stored = store_upload(
        fileobj=io.BytesIO(data), original_name="foto.png", allowed_types=["png"], max_bytes=MB
    )
    with open_stored(stored) as handle:
        chunks = list(iter(lambda: handle.read(100), b""))
    assert b"".join(chunks) == data


def test_the_default_storage_lives_in_the_data_directory_not_the_static_root(settings):
    location = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert location.startswith(str(settings.DATA_DIR))
    assert not location.startswith(str(settings.STATIC_ROOT))


def _age(stored: StoredFile, hours: float) -> None:
    StoredFile.objects.filter(pk=stored.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=hours)
    )


def test_purge_deletes_old_unattached_files_and_keeps_fresh_ones(
    storage_dir, django_capture_on_commit_callbacks
):
    old = store_upload(fileobj=io.BytesIO(png_bytes()), original_name="a.png",
                       allowed_types=["png"], max_bytes=MB)  # fmt: skip
    fresh = store_upload(fileobj=io.BytesIO(png_bytes()), original_name="b.png",
                         allowed_types=["png"], max_bytes=MB)  # fmt: skip
    _age(old, 30)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge-orphan-files", stdout=io.StringIO())
    assert not StoredFile.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.storage_name)
    assert StoredFile.objects.filter(pk=fresh.pk).exists()
    assert default_storage.exists(fresh.storage_name)


def test_purge_keeps_files_a_case_document_refers_to(storage_dir, make_case):
    from loket.cases.models import CaseDocument

    stored = store_upload(fileobj=io.BytesIO(png_bytes()), original_name="a.png",
                          allowed_types=["png"], max_bytes=MB)  # fmt: skip
    CaseDocument.objects.create(
        case=make_case(), name="ktp", original_name="a.png", kind="png", size=stored.size,
        sha256=stored.sha256, storage_name=stored.storage_name,
    )  # fmt: skip
    _age(stored, 48)
    call_command("purge-orphan-files", stdout=io.StringIO())
    assert StoredFile.objects.filter(pk=stored.pk).exists()
    assert default_storage.exists(stored.storage_name)


def test_purge_removes_stray_bytes_without_a_record(storage_dir):
    import os

    name = default_storage.save("2026/01/" + "ab" * 16 + ".pdf", io.BytesIO(pdf_bytes()))
    foreign = default_storage.save("exports/report.pdf", io.BytesIO(b"not ours"))
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    for stray in (name, foreign):
        os.utime(storage_dir / stray, (two_days_ago, two_days_ago))
    dry = io.StringIO()
    call_command("purge-orphan-files", "--dry-run", stdout=dry)
    assert default_storage.exists(name)
    assert "stray file" in dry.getvalue()
    call_command("purge-orphan-files", stdout=io.StringIO())
    assert not default_storage.exists(name)
    assert default_storage.exists(foreign)


def test_a_new_file_never_replaces_one_stored_under_the_same_name(storage_dir):
    name = "2026/01/" + "cd" * 16 + ".png"
    assert default_storage.write_new(name, png_bytes()) == name
    with pytest.raises(FileExistsError):
        default_storage.write_new(name, b"something else")
    with default_storage.open(name) as handle:
        assert handle.read() == png_bytes()
    assert (storage_dir / name).stat().st_mode & 0o777 == 0o600


def test_a_new_file_may_not_leave_the_storage(storage_dir):
    from django.core.exceptions import SuspiciousFileOperation

    with pytest.raises(SuspiciousFileOperation):
        default_storage.write_new("../outside.png", png_bytes())
    assert not (storage_dir.parent / "outside.png").exists()


def test_new_files_and_the_directories_that_gained_them_are_synced_before_return(
    storage_dir, fsynced
):
    # A power cut must not leave a committed row whose bytes were still in the page cache.
    names = ["2026/12/" + "ab" * 16 + ".png", "2026/12/" + "ef" * 16 + ".pdf"]
    assert (
        default_storage.write_new_all([(names[0], png_bytes()), (names[1], pdf_bytes())]) == names
    )
    files = [str(storage_dir / name) for name in names]
    # 2026/12 and 2026 were made now: each is an entry in the level above it, up to the
    # storage root, itself new in the test's directory.
    directories = [str(storage_dir / "2026/12"), str(storage_dir / "2026"), str(storage_dir)]
    assert fsynced[:2] == files  # the data first, then the entries
    assert set(fsynced[2:]) == {*directories, str(storage_dir.parent)}
    assert len(fsynced) == 6


def test_a_file_in_an_existing_directory_syncs_the_file_and_that_directory(storage_dir, fsynced):
    default_storage.write_new("2026/12/" + "01" * 16 + ".png", png_bytes())
    fsynced.clear()
    name = "2026/12/" + "02" * 16 + ".png"
    default_storage.write_new(name, png_bytes())
    assert fsynced == [str(storage_dir / name), str(storage_dir / "2026/12")]


def test_a_batch_that_fails_half_way_leaves_no_new_file_and_the_old_one_intact(storage_dir):
    taken = "2026/12/" + "cd" * 16 + ".png"
    default_storage.write_new(taken, png_bytes())
    fresh = "2026/12/" + "77" * 16 + ".pdf"
    with pytest.raises(FileExistsError):
        default_storage.write_new_all([(fresh, pdf_bytes()), (taken, b"something else")])
    assert not (storage_dir / fresh).exists()
    with default_storage.open(taken) as handle:
        assert handle.read() == png_bytes()


def test_rotation_syncs_each_new_copy_before_it_replaces_the_old(storage_dir, fsynced):
    from loket.core.storage import rotate_files

    name = "2026/12/" + "99" * 16 + ".png"
    default_storage.write_new(name, png_bytes())
    fsynced.clear()
    assert rotate_files(default_storage) == 1
    temporary, directory = fsynced
    assert os.path.basename(temporary).startswith(".rotate-")
    assert directory == str(storage_dir / "2026/12")
    with default_storage.open(name) as handle:
        assert handle.read() == png_bytes()
