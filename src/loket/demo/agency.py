"""The demo agency: Pemerintah Kota Contoh and its one-stop service office.

`load_demo()` is idempotent: running `make demo` again finds what is there and
adds only what is missing, so a developer's demo cases survive restarts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from loket.org.models import Agency, Appointment, Capacity, Officer, Position, Unit
from loket.workspace.otp import enrol_demo_devices

DEMO_PASSWORD = "loket-demo-2026"  # printed to the developer; demo data only
ADMIN_USERNAME = "admin"

AGENCY = {
    "code": "kota-contoh",
    "name": "Pemerintah Kota Contoh",
    "short_name": "Pemkot Contoh",
    "address": "Jl. Merdeka No. 1, Kota Contoh 40111",
    "email": "pelayanan@kotacontoh.go.id",
    "phone": "(022) 1234567",
}

# (code, parent code, name, English name)
UNITS = [
    (
        "dpmptsp",
        None,
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "Investment and One-Stop Integrated Service Office",
    ),
    ("bidang-perizinan", "dpmptsp", "Bidang Pelayanan Perizinan", "Licensing Services Division"),
    (
        "dinas-pupr",
        None,
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Public Works and Spatial Planning Office",
    ),
    ("bidang-tata-ruang", "dinas-pupr", "Bidang Tata Ruang", "Spatial Planning Division"),
    ("bapenda", None, "Badan Pendapatan Daerah", "Regional Revenue Agency"),
    ("kecamatan-kota-tengah", None, "Kecamatan Kota Tengah", "Kota Tengah District"),
    ("kelurahan-sukamaju", "kecamatan-kota-tengah", "Kelurahan Sukamaju", "Sukamaju Village"),
]

# (code, unit, title, English title, is_head, is_single_holder)
POSITIONS = [
    (
        "kepala-dpmptsp",
        "dpmptsp",
        "Kepala Dinas Penanaman Modal dan PTSP",
        "Head of the Investment and One-Stop Service Office",
        True,
        True,
    ),
    (
        "kabid-perizinan",
        "bidang-perizinan",
        "Kepala Bidang Pelayanan Perizinan",
        "Head of the Licensing Services Division",
        True,
        True,
    ),
    (
        "petugas-front-office",
        "bidang-perizinan",
        "Petugas Front Office",
        "Front-Office Officer",
        False,
        False,
    ),
    ("analis-perizinan", "bidang-perizinan", "Analis Perizinan", "Licensing Analyst", False, False),
    (
        "kepala-dinas-pupr",
        "dinas-pupr",
        "Kepala Dinas PUPR",
        "Head of the Public Works Office",
        True,
        True,
    ),
    (
        "kabid-tata-ruang",
        "bidang-tata-ruang",
        "Kepala Bidang Tata Ruang",
        "Head of the Spatial Planning Division",
        True,
        True,
    ),
    (
        "analis-tata-ruang",
        "bidang-tata-ruang",
        "Analis Tata Ruang",
        "Spatial Planning Analyst",
        False,
        False,
    ),
    (
        "kepala-bapenda",
        "bapenda",
        "Kepala Badan Pendapatan Daerah",
        "Head of the Regional Revenue Agency",
        True,
        True,
    ),
    ("analis-pajak-daerah", "bapenda", "Analis Pajak Daerah", "Regional Tax Analyst", False, False),
    (
        "camat-kota-tengah",
        "kecamatan-kota-tengah",
        "Camat Kota Tengah",
        "Head of Kota Tengah District",
        True,
        True,
    ),
    (
        "lurah-sukamaju",
        "kelurahan-sukamaju",
        "Lurah Sukamaju",
        "Head of Sukamaju Village",
        True,
        True,
    ),
    (
        "staf-pelayanan-kelurahan",
        "kelurahan-sukamaju",
        "Staf Pelayanan Kelurahan",
        "Village Service Officer",
        False,
        False,
    ),
]


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    name: str
    nip: str
    position: str
    capacity: str
    email: str


OFFICERS = [
    DemoOfficer(
        "bambang",
        "Ir. Bambang Sutrisno, M.Si.",
        "196805121994031005",
        "kepala-dpmptsp",
        Capacity.DEFINITIVE,
        "bambang@kotacontoh.go.id",
    ),
    # The licensing division's head retired; Dewi acts as Plt until a new head is appointed.
    DemoOfficer(
        "dewi",
        "Dewi Lestari, S.H., M.H.",
        "197604152000122002",
        "kabid-perizinan",
        Capacity.PLT,
        "dewi@kotacontoh.go.id",
    ),
    DemoOfficer(
        "andi",
        "Andi Pratama, S.Kom.",
        "199001012015031001",
        "petugas-front-office",
        Capacity.DEFINITIVE,
        "andi@kotacontoh.go.id",
    ),
    DemoOfficer(
        "rina",
        "Rina Wulandari, A.Md.",
        "199503212019032004",
        "petugas-front-office",
        Capacity.DEFINITIVE,
        "rina@kotacontoh.go.id",
    ),
    DemoOfficer(
        "siti",
        "Siti Rahmawati, S.T.",
        "198807222012032003",
        "analis-perizinan",
        Capacity.DEFINITIVE,
        "siti@kotacontoh.go.id",
    ),
    DemoOfficer(
        "hendra",
        "Hendra Gunawan, S.E.",
        "198611302011011006",
        "analis-perizinan",
        Capacity.DEFINITIVE,
        "hendra@kotacontoh.go.id",
    ),
    DemoOfficer(
        "yusuf",
        "Ir. Yusuf Maulana, M.T.",
        "197102081997031003",
        "kabid-tata-ruang",
        Capacity.DEFINITIVE,
        "yusuf@kotacontoh.go.id",
    ),
    DemoOfficer(
        "rudi",
        "Rudi Hartono, S.T.",
        "198503032010011004",
        "analis-tata-ruang",
        Capacity.DEFINITIVE,
        "rudi@kotacontoh.go.id",
    ),
    DemoOfficer(
        "maya",
        "Maya Sari, S.E., Ak.",
        "199205052017082001",
        "analis-pajak-daerah",
        Capacity.DEFINITIVE,
        "maya@kotacontoh.go.id",
    ),
    DemoOfficer(
        "agus",
        "Agus Salim, S.IP.",
        "197812122005011007",
        "lurah-sukamaju",
        Capacity.DEFINITIVE,
        "agus@kotacontoh.go.id",
    ),
    DemoOfficer(
        "lina",
        "Lina Marlina",
        "199408172020122005",
        "staf-pelayanan-kelurahan",
        Capacity.DEFINITIVE,
        "lina@kotacontoh.go.id",
    ),
]

APPOINTMENTS_START = dt.date(2024, 1, 2)


@dataclass
class DemoSummary:
    agency: Agency
    officers: list[DemoOfficer]
    published: list[str]


def _load_org() -> Agency:
    agency, _ = Agency.objects.get_or_create(code=AGENCY["code"], defaults=AGENCY)
    units: dict[str, Unit] = {}
    for code, parent, name, name_en in UNITS:
        units[code], _ = Unit.objects.get_or_create(
            agency=agency,
            code=code,
            defaults={"parent": units.get(parent or ""), "name": name, "name_en": name_en},
        )
    for code, unit, title, title_en, is_head, single in POSITIONS:
        Position.objects.get_or_create(
            agency=agency,
            code=code,
            defaults={
                "unit": units[unit],
                "title": title,
                "title_en": title_en,
                "is_head": is_head,
                "is_single_holder": single,
            },
        )
    return agency


def _load_officers(agency: Agency) -> None:
    from loket.org.services import appoint

    user_model = get_user_model()
    for demo in OFFICERS:
        user, created = user_model.objects.get_or_create(
            username=demo.username, defaults={"email": demo.email, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        officer, _ = Officer.objects.get_or_create(
            user=user, defaults={"agency": agency, "nip": demo.nip, "name": demo.name}
        )
        position = Position.objects.get(agency=agency, code=demo.position)
        if not Appointment.objects.filter(officer=officer, position=position).exists():
            appoint(
                officer=officer,
                position=position,
                capacity=demo.capacity,
                start_date=APPOINTMENTS_START,
                # An SK for definitive holders, a Surat Perintah for Dewi as Plt; 800.1
                # (Sumber Daya Manusia) is the Permendagri 83/2022 classification.
                decree_number=f"800.1/{demo.nip[-3:]}/BKPSDM/2024",
            )


def _load_calendar(agency: Agency) -> None:
    from loket.calendar.collective_leave import load_collective_leave
    from loket.calendar.models import WorkingCalendar

    calendar, _ = WorkingCalendar.objects.get_or_create(agency=agency)
    load_collective_leave(calendar, years=[2025, 2026, 2027])


# Second-level codes of Permendagri 83/2022 as quoted by a third-party seeder
# (shared/domain/archive.md, [secondary]); an agency loads its own Lampiran and its
# own JRA (Perkada). No retention values are shipped: those are the agency's.
DEMO_ARCHIVE_CLASSES = [
    ("000.1", "Ketatausahaan dan Kerumahtanggaan"),
    ("000.5", "Kearsipan"),
    ("100.3", "Hukum"),
    ("400.12", "Kependudukan dan Catatan Sipil"),
    ("500.3", "Koperasi dan Usaha Kecil dan Menengah"),
    ("500.16", "Penanaman Modal"),
    ("600.3", "Tata Ruang"),
    ("800.1", "Sumber Daya Manusia"),
    ("900.1", "Keuangan Daerah"),
]


def _load_archive_classes(agency: Agency) -> None:
    from loket.catalog.models import ArchiveClass

    for code, title in DEMO_ARCHIVE_CLASSES:
        ArchiveClass.objects.get_or_create(agency=agency, code=code, defaults={"title": title})


def _load_admin() -> None:
    user_model = get_user_model()
    if not user_model.objects.filter(username=ADMIN_USERNAME).exists():
        user_model.objects.create_superuser(ADMIN_USERNAME, "admin@kotacontoh.go.id", DEMO_PASSWORD)


def _publish_services(services_dir: Path) -> list[str]:
    from loket.catalog.services import publish_file

    published = []
    for path in sorted(services_dir.glob("*.yaml")):
        result = publish_file(path)
        published.append(f"{result.version.service.code} v{result.version.number}")
    return published


def load_demo(services_dir: Path | None = None) -> DemoSummary:
    """Create (or complete) the demo agency, its officers, calendar and services."""
    with transaction.atomic():
        agency = _load_org()
        _load_officers(agency)
        _load_admin()
        # Demo officers' second factor: `loket demo-otp USERNAME` prints the code.
        enrol_demo_devices([*(officer.username for officer in OFFICERS), ADMIN_USERNAME])
        _load_calendar(agency)
        _load_archive_classes(agency)
        if not agency.crest_sha256:
            from loket.org.branding import demo_crest_png, set_crest

            set_crest(agency, demo_crest_png())
    published = _publish_services(services_dir or Path(settings.LOKET_SERVICES_DIR))
    return DemoSummary(agency=agency, officers=OFFICERS, published=published)
