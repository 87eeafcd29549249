"""Long downloads prepared by the worker (XLSX of the dashboard, XES, signed SKP PDF).

The request creates an `ExportJob` and enqueues `tasks.run_export`; the worker writes the
file under DATA_DIR/exports and the progress on the row, which the page reads.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from loket.insights import dashboard, exports, selectors, skp, xes
from loket.insights.models import ExportJob, ExportKind, ExportStatus
from loket.org.models import Officer

# Progress is written every this many events (a row update, not one per event).
PROGRESS_EVERY = 2000


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_export(*, owner: Officer, kind: str, params: dict[str, object]) -> ExportJob:
    """Record the request and hand it to the worker once the transaction commits."""
    from loket.insights import tasks

    job = ExportJob.objects.create(owner=owner, kind=ExportKind(kind), params=params)
    transaction.on_commit(lambda: tasks.run_export.enqueue(job.pk))
    return job


def _progress(job: ExportJob, done: int, total: int | None = None) -> None:
    fields = {"done": done} if total is None else {"done": done, "total": total}
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def _month(params: dict[str, object]) -> dt.date | None:
    text = str(params.get("bulan") or "")
    return dashboard.parse_month(text, today=timezone.localdate()) if text else None


def _counted(job: ExportJob, events: Iterable[xes.LogEvent]) -> Iterator[xes.LogEvent]:
    for count, event in enumerate(events, start=1):
        yield event
        if count % PROGRESS_EVERY == 0:
            _progress(job, count)


def _write_xes(job: ExportJob, target: Path) -> str:
    unit_id = int(str(job.params["unit"]))
    month = _month(job.params)
    period = selectors.month_period(month) if month else None
    _progress(job, 0, selectors.event_count(unit_id=unit_id, period=period))
    with target.open("w", encoding="utf-8") as out:
        for chunk in xes.write(_counted(job, selectors.event_log(unit_id=unit_id, period=period))):
            out.write(chunk)
    suffix = f"-{month:%Y-%m}" if month else ""
    return f"event-log-unit-{unit_id}{suffix}.xes"


def _write_tables(job: ExportJob, target: Path) -> str:
    unit_id = int(str(job.params["unit"]))
    month = _month(job.params) or timezone.localdate().replace(day=1)
    _progress(job, 0, 2)
    board = dashboard.unit_dashboard(
        unit_id=unit_id, agency_id=job.owner.agency_id, month=month, now=timezone.now()
    )
    _progress(job, 1)
    download = exports.export(
        exports.dashboard_sheets(board), fmt="xlsx", table="",
        stem=f"kinerja-unit-{unit_id}-{month:%Y-%m}",
    )  # fmt: skip
    target.write_bytes(download.body)
    return download.filename


def _write_skp_pdf(job: ExportJob, target: Path) -> str:
    subject = Officer.objects.select_related("agency").get(pk=int(str(job.params["officer"])))
    month = _month(job.params) or timezone.localdate().replace(day=1)
    _progress(job, 0, 2)
    item = skp.evidence(officer=subject, period=selectors.month_period(month), month=month)
    _progress(job, 1)
    agency = subject.agency
    target.write_bytes(
        skp.signed_pdf(item, agency_code=agency.code, agency_name=agency.name, now=timezone.now())
    )
    return f"bukti-skp-{subject.nip}-{month:%Y-%m}.pdf"


WRITERS = {
    ExportKind.XES: (_write_xes, "application/xml; charset=utf-8"),
    ExportKind.TABLES: (
        _write_tables,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ExportKind.SKP_PDF: (_write_skp_pdf, "application/pdf"),
}


def run_export(job_id: int) -> str:
    """The worker's part: write the file, keeping the progress on the row. Idempotent: a
    finished job is left as it is (a task delivered twice does the work once)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("owner").get(pk=job_id)
        if job.finished:
            return job.status
        job.status = ExportStatus.RUNNING
        job.save(update_fields=["status"])
    writer, content_type = WRITERS[ExportKind(job.kind)]
    name = f"{job.pk}-{secrets.token_hex(8)}"
    target = export_dir() / name
    try:
        filename = writer(job, target)
    except Exception as exc:
        target.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        return ExportStatus.FAILED
    total = ExportJob.objects.values_list("total", flat=True).get(pk=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, done=total, filename=filename, content_type=content_type,
        path=name, finished_at=timezone.now(),
    )  # fmt: skip
    return ExportStatus.DONE


def file_of(job: ExportJob) -> Path | None:
    """The prepared file, if the job is done and its file is still there."""
    if job.status != ExportStatus.DONE or not job.path:
        return None
    path = export_dir() / Path(job.path).name
    return path if path.is_file() else None


def purge_old(*, now: dt.datetime | None = None, keep: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Forget prepared downloads older than `keep`, their files first (personal to one
    officer, and the next request prepares a fresh one)."""
    cutoff = (now or timezone.now()) - keep
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.path:
            (export_dir() / Path(job.path).name).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
