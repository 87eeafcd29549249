"""The default datasets of an agency, one registered builder per kind.

Every builder reads live data through aggregate queries and returns a table of
counts and statistics: never a tracking number, a name, a NIK, a contact or free
text written by a member of the public.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone

from loket.org.models import Agency

Cell = str | int | float | None


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None


@dataclass
class Builder:
    """What a dataset is (title, SDI indicator metadata) and how its table is computed."""

    kind: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    keywords: ClassVar[list[str]]
    theme: ClassVar[str]
    periodicity: ClassVar[str]
    indicator: ClassVar[dict[str, str]]
    agency: Agency
    notes: list[str] = field(default_factory=list)

    def table(self) -> Table:
        raise NotImplementedError


REGISTRY: dict[str, type[Builder]] = {}


def register(cls: type[Builder]) -> type[Builder]:
    REGISTRY[cls.kind] = cls
    return cls


def min_cell() -> int:
    return int(settings.LOKET_OPENDATA_MIN_CELL)


def count(n: int) -> Cell:
    """A count as published: small non-zero counts become "<N" (statistical disclosure control)."""
    return f"<{min_cell()}" if 0 < n < min_cell() else n


def stat(n: int, value: float | None) -> Cell:
    """A statistic over n records, left blank when n is below the publication threshold."""
    if value is None or n < min_cell():
        return None
    return round(value, 2)


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


class WorkingClock:
    """Working days between two moments, fast enough for a million cases.

    Office time is additive, so days(a, b) = position(b) - position(a), where a
    position is the office time since a fixed origin: the office time up to the
    start of the day (one calendar call per distinct day) plus the office time
    within the day. The calendar opens and closes at the same hours on every
    working day, so the part within a day depends only on the time of day and
    is asked of the calendar once per distinct second of the day.
    """

    def __init__(self, agency: Agency) -> None:
        self.agency = agency
        self.origin: dt.date | None = None
        self.day_offsets: dict[dt.date, float] = {}
        self.working: dict[dt.date, bool] = {}
        self.within: dict[int, float] = {}
        # Looked up once: timezone.localtime() asks a context-local for it on every call,
        # which was most of the time over a million cases.
        self.zone = timezone.get_current_timezone()

    def _midnight(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def _day_offset(self, day: dt.date) -> float:
        from loket.calendar.workingtime import working_days_between

        if self.origin is None:
            self.origin = day
        if day not in self.day_offsets:
            origin, here = self._midnight(self.origin), self._midnight(day)
            self.day_offsets[day] = working_days_between(self.agency, origin, here)
        return self.day_offsets[day]

    def _within_day(self, local: dt.datetime) -> float:
        from loket.calendar.workingtime import is_working_day, working_days_between

        day = local.date()
        if day not in self.working:
            self.working[day] = is_working_day(self.agency, day)
        if not self.working[day]:
            return 0.0
        second = local.hour * 3600 + local.minute * 60 + local.second
        if second not in self.within:
            self.within[second] = working_days_between(
                self.agency, self._midnight(day), local.replace(microsecond=0)
            )
        return self.within[second]

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)

    def position(self, moment: dt.datetime) -> float:
        local = moment.astimezone(self.zone)
        return self._day_offset(local.date()) + self._within_day(local)

    def days_between(self, start: dt.datetime, end: dt.datetime) -> float:
        return max(0.0, self.position(end) - self.position(start))


def month_of(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    local = moment.astimezone(zone or timezone.get_current_timezone())
    return f"{local.year:04d}-{local.month:02d}"


def month_bounds(months: Iterable[str]) -> tuple[dt.date | None, dt.date | None]:
    keys = sorted(months)
    if not keys:
        return None, None
    first = dt.date.fromisoformat(keys[0] + "-01")
    last = dt.date.fromisoformat(keys[-1] + "-01")
    following = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def text(value: Any) -> str:
    """Flatten a definition value (i18n mapping, list, mapping) to Indonesian text."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if "id" in value and isinstance(value["id"], str):
            return value["id"]
        return "; ".join(f"{k}: {text(v)}" for k, v in value.items() if text(v))
    if isinstance(value, list):
        return "; ".join(t for t in (text(v) for v in value) if t)
    return str(value)


def labels(items: Iterable[dict[str, Any]], key: str = "label") -> str:
    return "; ".join(text(item.get(key)) for item in items if isinstance(item, dict))


# The 14 components of a service standard (PermenPANRB 15/2014), mapped to where a
# Loket service definition keeps each of them.
STANDARD_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("dasar_hukum", lambda d: text(d.get("legal_basis"))),
    (
        "persyaratan",
        lambda d: "; ".join(
            labels((d.get("requirements") or {}).get(part) or [])
            for part in ("documents", "data")
            if (d.get("requirements") or {}).get(part)
        ),
    ),
    ("sistem_mekanisme_prosedur", lambda d: labels(d.get("steps") or [], "name")),
    (
        "jangka_waktu_hari_kerja",
        lambda d: str((d.get("deadline") or {}).get("working_days", "")),
    ),
    ("biaya_tarif", lambda d: text(d.get("fee"))),
    ("produk_pelayanan", lambda d: text((d.get("product") or {}).get("document_type"))),
    ("sarana_prasarana", lambda d: text((d.get("standard") or {}).get("facilities"))),
    ("kompetensi_pelaksana", lambda d: text((d.get("standard") or {}).get("officer_competence"))),
    (
        "pengawasan_internal",
        lambda d: text((d.get("standard") or {}).get("internal_supervision")),
    ),
    ("penanganan_pengaduan", lambda d: text((d.get("standard") or {}).get("complaint_channel"))),
    ("jumlah_pelaksana", lambda d: text((d.get("standard") or {}).get("number_of_officers"))),
    ("jaminan_pelayanan", lambda d: text((d.get("standard") or {}).get("service_guarantee"))),
    (
        "jaminan_keamanan_keselamatan",
        lambda d: text((d.get("standard") or {}).get("security_guarantee")),
    ),
    (
        "evaluasi_kinerja_pelaksana",
        lambda d: text((d.get("standard") or {}).get("performance_evaluation")),
    ),
]


@register
class ServiceCatalogue(Builder):
    kind = "katalog-layanan"
    title = "Katalog Layanan dan Standar Pelayanan"
    description = (
        "Setiap versi standar pelayanan yang diterbitkan, dengan 14 komponen standar "
        "pelayanan menurut PermenPANRB 15/2014. Satu baris per versi layanan."
    )
    keywords = ["standar pelayanan", "layanan publik", "katalog layanan"]
    theme = "pelayanan-publik"
    periodicity = "R/P1M"
    indicator = {
        "konsep": "Standar pelayanan",
        "definisi": "Tolok ukur penyelenggaraan pelayanan yang wajib dipublikasikan "
        "(UU 25/2009 Pasal 20-21).",
        "rumus": "-",
        "ukuran": "Versi standar pelayanan",
        "satuan": "layanan",
        "periodisitas": "Bulanan",
    }

    def table(self) -> Table:
        from loket.catalog.models import ServiceVersion

        versions = (
            ServiceVersion.objects.filter(service__agency=self.agency)
            .select_related("service", "service__unit")
            .order_by("service__code", "number")
        )
        columns = ["kode_layanan", "versi", "nama_layanan", "unit", "berlaku_sejak"]
        columns += [name for name, _ in STANDARD_COLUMNS]
        rows: list[list[Cell]] = []
        for version in versions:
            definition = version.definition or {}
            row: list[Cell] = [
                version.service.code,
                version.number,
                text(definition.get("name")) or version.service.name,
                version.service.unit.name,
                timezone.localtime(version.published_at).date().isoformat(),
            ]
            row += [extract(definition) for _, extract in STANDARD_COLUMNS]
            rows.append(row)
        return Table(columns, rows)


@register
class ServiceStatistics(Builder):
    kind = "statistik-permohonan"
    title = "Permohonan dan Waktu Penyelesaian per Layanan per Bulan"
    description = (
        "Jumlah permohonan per layanan per bulan: diajukan pada bulan itu; diputus "
        "(disetujui, ditolak) dan dibatalkan pada bulan itu; yang diputus setelah "
        "dikembalikan ke pemohon minimal sekali; persentase yang diputus dalam jangka waktu "
        "layanan; median dan persentil ke-90 hari kerja dari pengajuan dan dari berkas "
        "lengkap sampai putusan. Definisi sama dengan dasbor kinerja (K1, K2, K3, K6)."
    )
    keywords = ["permohonan", "waktu penyelesaian", "kinerja pelayanan"]
    theme = "pelayanan-publik"
    periodicity = "R/P1M"
    indicator = {
        "konsep": "Kinerja penyelesaian permohonan",
        "definisi": "Permohonan yang diputus paling lambat pada saat jatuh tempo layanan "
        "dibagi seluruh permohonan yang diputus pada bulan yang sama; jatuh tempo dihitung "
        "sejak berkas lengkap dan bergeser selama menunggu pemohon.",
        "rumus": "persen_tepat_waktu = diputus_tepat_waktu / diputus x 100; hari kerja "
        "menurut kalender hari kerja instansi (8 jam = 1 hari), tanpa waktu menunggu "
        "pemohon; median = nilai tengah (rata-rata dua nilai tengah bila genap); "
        "persentil ke-90 = peringkat terdekat (nilai ke-[0,9 x n] terkecil).",
        "ukuran": "Jumlah, persen, hari kerja",
        "satuan": "permohonan; persen; hari kerja",
        "periodisitas": "Bulanan",
    }

    def table(self) -> Table:
        """One row per service and month, read from the monthly rollup the worker keeps
        (ADR 0011, 0024): a set-based read of (services x months) rows, whatever the
        number of cases, with the dashboards' definitions."""
        from loket.insights.models import MonthlyRollup

        rollups = (
            MonthlyRollup.objects.filter(service__agency=self.agency)
            .exclude(submitted=0, approved=0, rejected=0, cancelled=0)
            .order_by("service__code", "month")
            .values_list(
                "service__code", "month", "submitted", "approved", "rejected", "cancelled",
                "first_time_right", "sla_on_time", "sla_total",
                "median_days_from_submission", "p90_days_from_submission",
                "median_days", "p90_days",
            )
        )  # fmt: skip
        columns = [
            "kode_layanan", "bulan", "diajukan", "disetujui", "ditolak", "dibatalkan",
            "dikembalikan", "diputus", "persen_tepat_waktu",
            "median_hari_kerja_dari_pengajuan", "p90_hari_kerja_dari_pengajuan",
            "median_hari_kerja_dari_lengkap", "p90_hari_kerja_dari_lengkap",
        ]  # fmt: skip
        rows: list[list[Cell]] = []
        months = []
        for (code, month, submitted, approved, rejected, cancelled, first_time_right,
             on_time, with_due, median_sub, p90_sub, median_full, p90_full) in rollups:  # fmt: skip
            decided = approved + rejected
            months.append(f"{month:%Y-%m}")
            rows.append([
                code, f"{month:%Y-%m}", count(submitted), count(approved), count(rejected),
                count(cancelled), count(decided - first_time_right), count(decided),
                stat(with_due, 100 * on_time / with_due if with_due else None),
                stat(decided, median_sub), stat(decided, p90_sub),
                stat(with_due, median_full), stat(with_due, p90_full),
            ])  # fmt: skip
        return Table(columns, rows, *month_bounds(months))


@register
class ComplaintHandling(Builder):
    kind = "penanganan-pengaduan"
    title = "Penanganan Pengaduan per Unit per Bulan"
    description = (
        "Jumlah pengaduan yang diterima per unit per bulan, yang dijawab, yang dijawab tepat "
        "waktu menurut tingkatnya, persentase penyelesaian dan median hari kerja sampai "
        "dijawab. Tanpa isi pengaduan dan tanpa data pelapor."
    )
    keywords = ["pengaduan", "SP4N-LAPOR", "penyelesaian pengaduan"]
    theme = "pengaduan"
    periodicity = "R/P1M"
    indicator = {
        "konsep": "Persentase penyelesaian penanganan pengaduan masyarakat sesuai ketentuan",
        "definisi": "Jumlah pengaduan yang diselesaikan tepat waktu dibagi jumlah pengaduan "
        "yang perlu diselesaikan x 100%.",
        "rumus": "persen_tepat_waktu = dijawab_tepat_waktu / perlu_diselesaikan x 100 "
        "(perlu diselesaikan: telah ditetapkan tingkatnya saat verifikasi; yang ditolak tidak)",
        "ukuran": "Jumlah, persen, hari kerja",
        "satuan": "pengaduan; persen; hari kerja",
        "periodisitas": "Bulanan",
    }

    def table(self) -> Table:
        from loket.complaints.models import Complaint

        clock = WorkingClock(self.agency)

        groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(
            lambda: {"n": 0, "to_resolve": 0, "answered": 0, "on_time": 0, "days": []}
        )
        rows_in = Complaint.objects.filter(agency=self.agency).values_list(
            "unit__code", "received_at", "due_at", "answered_at", "answered_on_time"
        )
        # The same K11 definitions as the performance pages (loket.insights.kpi).
        for unit, received, due, answered, on_time in rows_in.iterator():
            group = groups[(unit, month_of(received))]
            group["n"] += 1
            group["to_resolve"] += due is not None
            if answered:
                group["answered"] += 1
                group["on_time"] += bool(on_time and due is not None)
                group["days"].append(clock.days_between(received, answered))
        columns = [
            "kode_unit", "bulan", "diterima", "perlu_diselesaikan", "dijawab",
            "dijawab_tepat_waktu", "persen_tepat_waktu", "median_hari_kerja_sampai_dijawab",
        ]  # fmt: skip
        rows: list[list[Cell]] = [
            [
                unit,
                month,
                count(g["n"]),
                count(g["to_resolve"]),
                count(g["answered"]),
                count(g["on_time"]),
                stat(g["to_resolve"], _percent(g["on_time"], g["to_resolve"])),
                stat(g["answered"], median(g["days"])),
            ]
            for (unit, month), g in sorted(groups.items())
        ]
        return Table(columns, rows, *month_bounds(m for _, m in groups))


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100 * part / whole


@register
class SurveyResults(Builder):
    kind = "indeks-kepuasan-masyarakat"
    title = "Indeks Kepuasan Masyarakat (IKM) per Periode"
    description = (
        "Hasil survei kepuasan masyarakat yang telah diumumkan, per unit/layanan dan periode "
        "(PermenPANRB 14/2017): jumlah responden, nilai per unsur (NRR), IKM dan mutu."
    )
    keywords = ["IKM", "survei kepuasan masyarakat", "SKM"]
    theme = "kepuasan-masyarakat"
    periodicity = "R/P6M"
    indicator = {
        "konsep": "Indeks Kepuasan Masyarakat",
        "definisi": "Ukuran kepuasan masyarakat atas pelayanan, dari sembilan unsur survei.",
        "rumus": "IKM = (jumlah NRR tertimbang) x 25",
        "ukuran": "Indeks 25-100 dan mutu A-D",
        "satuan": "indeks",
        "periodisitas": "Semesteran",
    }

    def table(self) -> Table:
        from loket.surveys.models import Result

        results = (
            Result.objects.filter(period__agency=self.agency)
            .select_related("period", "period__unit", "period__service")
            .order_by("period__starts_on", "period__code", "published_at")
        )
        elements = sorted({key for r in results for key in (r.elements or {})})
        columns = ["kode_periode", "kode_unit", "kode_layanan", "mulai", "selesai", "responden"]
        columns += [f"nrr_{key}" for key in elements] + ["ikm", "mutu", "diumumkan"]
        rows: list[list[Cell]] = []
        for r in results:
            period = r.period
            n = r.respondents
            rows.append([
                period.code, period.unit.code, period.service.code if period.service else "",
                period.starts_on.isoformat(), period.ends_on.isoformat(), count(n),
                *[stat(n, _number((r.elements or {}).get(key))) for key in elements],
                stat(n, float(r.ikm)), r.grade if n >= min_cell() else None,
                timezone.localtime(r.published_at).isoformat(),
            ])  # fmt: skip
        starts = [r.period.starts_on for r in results]
        ends = [r.period.ends_on for r in results]
        return Table(columns, rows, min(starts, default=None), max(ends, default=None))


def _number(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("converted", value.get("nrr"))
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@register
class LedgerCheckpoints(Builder):
    kind = "checkpoint-buku-besar"
    title = "Checkpoint Buku Besar Transparansi (Signed Tree Heads)"
    description = (
        "Kepala pohon Merkle yang ditandatangani dari buku besar transparansi Loket: ukuran "
        "pohon, hash akar, waktu, origin dan tanda tangan Ed25519, untuk audit pihak ketiga."
    )
    keywords = ["transparansi", "buku besar", "merkle"]
    theme = "transparansi"
    periodicity = "R/P1D"
    indicator = {
        "konsep": "Checkpoint buku besar transparansi",
        "definisi": "Komitmen kriptografis atas seluruh entri buku besar sampai ukuran pohon.",
        "rumus": "RFC 6962 Merkle tree hash; tanda tangan Ed25519 atas checkpoint",
        "ukuran": "Ukuran pohon",
        "satuan": "entri",
        "periodisitas": "Harian",
    }

    def table(self) -> Table:
        import base64

        from loket.ledger.models import TreeHead

        heads = list(TreeHead.objects.order_by("size", "timestamp"))
        columns = ["ukuran_pohon", "hash_akar_hex", "waktu", "origin", "key_id", "tanda_tangan"]
        rows: list[list[Cell]] = [
            [
                head.size,
                bytes(head.root_hash).hex(),
                head.timestamp.isoformat(),
                head.origin,
                head.key_id,
                base64.b64encode(bytes(head.signature)).decode(),
            ]
            for head in heads
        ]
        days = [timezone.localtime(h.timestamp).date() for h in heads]
        return Table(columns, rows, min(days, default=None), max(days, default=None))
