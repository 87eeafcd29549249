"""Fixtures for the documents app: English messages, a private storage, an issuing setup."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    # Source strings are English; the default language (id) would translate them.
    with translation.override("en"):
        yield


@pytest.fixture
def storage_dir(settings, tmp_path):
    """Point the default storage at an empty directory for this test."""
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": settings.STORAGES["default"]["BACKEND"],
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


DEFINITION = {
    "code": "izin-usaha-mikro",
    "name": {"id": "Izin Usaha Mikro", "en": "Micro Business Licence"},
    "agency": "kota-contoh",
    "unit": "dpmptsp",
    "legal_basis": ["Peraturan Wali Kota Contoh Nomor 12 Tahun 2025"],
    "product": {
        "document_type": {"id": "Izin Usaha Mikro", "en": "Micro Business Licence"},
        "number_pattern": "503/{seq}/IUM/DPMPTSP/{year}",
        "validity": {"id": "Berlaku selama usaha masih berjalan.", "en": "Valid."},
    },
}


@pytest.fixture
def org(db):
    """Kota Contoh with a DPMPTSP head, a licensing division head under it, and officers."""
    from tests.org.factories import (
        AgencyFactory,
        AppointmentFactory,
        OfficerFactory,
        PositionFactory,
        UnitFactory,
    )

    # One agency code for every test: the demo PKI makes its signing key once.
    agency = AgencyFactory(
        code="kota-contoh",
        name="Pemerintah Kota Contoh",
        address="Jalan Merdeka No. 1, Kota Contoh",
        phone="(021) 123456",
    )
    office = UnitFactory(agency=agency, code="dpmptsp", name="Dinas Penanaman Modal dan PTSP")
    division = UnitFactory(
        agency=agency, parent=office, code="bidang-perizinan", name="Bidang Perizinan"
    )
    head = PositionFactory(unit=office, code="kadis", title="Kepala Dinas", is_head=True)
    kabid = PositionFactory(
        unit=division, code="kabid-perizinan", title="Kepala Bidang Perizinan", is_head=True
    )
    analyst = PositionFactory(unit=division, code="analis", title="Analis Perizinan")
    people = {
        name: OfficerFactory(agency=agency, name=name)
        for name in ("Siti Rahmawati", "Budi Santoso", "Dewi Lestari", "Agus Salim")
    }
    AppointmentFactory(officer=people["Siti Rahmawati"], position=head)
    AppointmentFactory(officer=people["Budi Santoso"], position=kabid)
    AppointmentFactory(officer=people["Dewi Lestari"], position=analyst)
    return {
        "agency": agency,
        "office": office,
        "head": head,
        "kabid": kabid,
        "analyst": analyst,
        **people,
    }


@pytest.fixture
def make_case(org):
    """Make an application of the micro-business licence service in Kota Contoh."""
    import hashlib
    import uuid

    from loket.cases.models import Case
    from loket.catalog.models import Service, ServiceVersion

    service = Service.objects.create(
        agency=org["agency"], unit=org["office"], code="izin-usaha-mikro", name="Izin Usaha Mikro"
    )
    version = ServiceVersion.objects.create(
        service=service,
        number=1,
        content_hash=hashlib.sha256(b"definition").hexdigest(),
        source="code: izin-usaha-mikro\n",
        definition=DEFINITION,
    )

    def make(**overrides):
        values = {
            "tracking_number": f"IUM-{uuid.uuid4().hex[:10]}",
            "access_code_hash": "unused",
            "service": service,
            "service_version": version,
            "agency": org["agency"],
            "applicant_name": "Sri Wahyuni",
            "applicant_nik": "3171234501900001",
            "applicant_nik_hash": "x",
            "data": {"nama_usaha": "Warung Bu Sri"},
        }
        return Case.objects.create(**values | overrides)

    return make


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory):
    """A SoftHSM2 token with the agency's key generated inside it (one per test session)."""
    from tests.documents.softhsm import make_token

    return make_token(tmp_path_factory.mktemp("softhsm"))


@pytest.fixture
def hsm_signing(request, settings, monkeypatch, softhsm_token):
    """Kota Contoh signs with its key in the SoftHSM2 token."""
    settings.LOKET_SIGNING_AGENCY_SIGNERS = {"kota-contoh": "pkcs11"}
    settings.LOKET_SIGNING_PKCS11_MODULE = softhsm_token.module
    settings.LOKET_SIGNING_PKCS11_TOKEN = softhsm_token.label
    settings.LOKET_SIGNING_PKCS11_KEY = softhsm_token.key_label
    settings.LOKET_SIGNING_TRUST_ROOTS = [str(softhsm_token.ca_path)]
    if getattr(settings, "LOKET_SIGNING_TSA_URL", ""):  # and the timestamp authority's root
        settings.LOKET_SIGNING_TRUST_ROOTS.append(
            str(request.getfixturevalue("test_pki").root_path)
        )
    monkeypatch.setenv("LOKET_SIGNING_PKCS11_PIN", softhsm_token.pin)
    return softhsm_token


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory):
    """A CA with its timestamp authority, OCSP responder and CRL on loopback."""
    from tests.documents.certomancer_pki import running_pki

    with running_pki(tmp_path_factory.mktemp("pki")) as pki:
        yield pki


@pytest.fixture
def tsa_signing(settings, test_pki):
    """Kota Contoh's key-file signatures carry timestamps from the test TSA."""
    from loket.documents import demo_pki

    settings.LOKET_SIGNING_TSA_URL = test_pki.tsa_url
    settings.LOKET_SIGNING_TRUST_ROOTS = [
        str(demo_pki.root_certificate_path()),
        str(test_pki.root_path),
    ]
    return test_pki


@pytest.fixture(scope="session")
def csc_service(test_pki):
    """certomancer-csc-dummy serving the test CA's signer key over the CSC API."""
    from tests.documents.certomancer_pki import ARCH, running_csc

    with running_csc(test_pki) as url:
        yield url, f"{ARCH}/signer"
