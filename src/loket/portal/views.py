"""Applicant-facing pages: find a service, apply, review, submit, track.

Views parse input, call one operation of the case engine (or a selector) and
render; the rules live in the engine and the catalog. Every page that shows a
case asks `access.case_for_request` first.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.cases import selectors as case_selectors
from loket.cases import services as case_services
from loket.cases import throttle, tracking
from loket.cases.intake import Applicant, clean_applicant, clean_data, document_limits
from loket.cases.models import Case, CaseStatus
from loket.catalog import selectors as catalog_selectors
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.catalog.fields import localized
from loket.catalog.models import Service, ServiceVersion
from loket.catalog.rules import fee_for
from loket.complaints import selectors as complaint_selectors
from loket.core.errors import ConflictError, LoketError, NotFound, RateLimited, ValidationError
from loket.core.formats import ui_language
from loket.documents import selectors as document_selectors
from loket.documents.services import open_stored, store_upload
from loket.documents.uploads import CappedUploadHandler
from loket.portal import access, drafts, journey, presenters, revisions, wizard
from loket.portal import selectors as portal_selectors
from loket.portal.forms import (
    DATA_PREFIX,
    DOC_PREFIX,
    ApplicationForm,
    CancelForm,
    TrackForm,
    initial_from,
)
from loket.portal.payment_views import bill_context

_language = ui_language


def _published(code: str) -> tuple[Service, ServiceVersion, ServiceDefinition]:
    service = catalog_selectors.service_by_code(code)
    version = catalog_selectors.current_version(service) if service else None
    if service is None or version is None or not service.is_active:
        raise Http404(_("There is no service %(code)s accepting applications.") % {"code": code})
    return service, version, compiled(version)


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def _capped_uploads(request: HttpRequest) -> None:
    # Set before anything reads the body: an oversized file is measured, never kept.
    request.upload_handlers = [CappedUploadHandler(request)]


# -- finding a service -----------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    found = portal_selectors.search_services(query)
    services = [service for service, _version in found]
    language = _language()
    rows = []
    for service, version in found:
        definition = compiled(version)
        rows.append(
            {
                "service": service,
                "name": presenters.service_name(service, language),
                "unit": (service.unit.name_en if language == "en" else "") or service.unit.name,
                "time": presenters.duration_text(definition.service_deadline),
                "fee": presenters.fee_text(definition, language),
            }
        )
    # Where the public holds the offices to account: their performance and satisfaction
    # pages, one per agency and per unit that runs a published service.
    agencies = {s.agency.code: s.agency for s in services}
    units = {(s.agency.code, s.unit.code): s.unit for s in services}
    context = {
        "rows": rows,
        "query": query,
        "agencies": list(agencies.values()),
        "units": [(agency, unit) for (agency, _code), unit in sorted(units.items())],
        "takes_complaints": bool(complaint_selectors.policies()),
    }
    return render(request, "portal/home.html", context)


@require_GET
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service, version, definition = _published(code)
    language = _language()
    raw = definition.raw
    context = {
        "service": service,
        "version": version,
        "name": presenters.service_name(service, language),
        "unit": (service.unit.name_en if language == "en" else "") or service.unit.name,
        "description": localized(raw.get("description"), language),
        "legal_basis": raw.get("legal_basis") or [],
        "requirements": presenters.requirements(definition, language),
        "procedure": presenters.procedure(service, definition, language),
        "time": presenters.duration_text(definition.service_deadline),
        "fee": presenters.fee_text(definition, language),
        "product": {
            "type": localized(definition.product.document_type, language),
            "validity": localized(definition.product.validity, language),
        },
        "complaint_channel": localized(
            (raw.get("standard") or {}).get("complaint_channel"), language
        ),
        "components": presenters.standard_components(definition, language),
        "standard_extras": presenters.standard_extras(definition, language),
    }
    return render(request, "portal/service.html", context)


# -- applying ------------------------------------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """The application form (CSRF is checked in `_apply`, after the upload handler is set)."""
    _capped_uploads(request)
    return _apply(request, code)


@csrf_protect
def _apply(request: HttpRequest, code: str) -> HttpResponse:
    service, version, definition = _published(code)
    language = _language()
    draft = drafts.load(request.session, code) or drafts.Draft(code, version.number)
    draft.version = version.number
    if request.method == "GET":
        applicant = draft.applicant or _account_defaults(request)
        form = ApplicationForm(
            initial=initial_from(draft.data, applicant),
            definition=definition,
            language=language,
            kept_documents=draft.documents,
        )
        return _render_apply(request, service, definition, form)
    form = ApplicationForm(
        request.POST,
        request.FILES,
        definition=definition,
        language=language,
        kept_documents=draft.documents,
    )
    form.is_valid()
    _keep_uploads(form, definition, draft)
    if not form.errors:
        _engine_checks(form, definition, language)
    draft.is_complete = not form.errors
    if draft.is_complete:
        draft.applicant = form.applicant_values()
        draft.data = form.data_values()
        draft.completed_steps = [step.slug for step in wizard.steps(definition)]
    drafts.save(request.session, draft)
    if not draft.is_complete:
        return _render_apply(request, service, definition, form, status=422)
    return redirect("portal:review", code=code)


def _account_defaults(request: HttpRequest) -> dict[str, str]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"name": user.get_full_name() or "", "email": getattr(user, "email", "") or ""}


def _keep_uploads(
    form: ApplicationForm, definition: ServiceDefinition, draft: drafts.Draft
) -> None:
    """Store every acceptable file of this post at once, so no later error loses it."""
    for name, upload in form.uploads().items():
        field = DOC_PREFIX + name
        if form.has_error(field):
            continue
        allowed, max_bytes = document_limits(definition, name)
        try:
            stored = store_upload(
                fileobj=upload,
                original_name=upload.name or name,
                allowed_types=allowed,
                max_bytes=max_bytes,
                field=field,
            )
        except ValidationError as exc:
            form.add_error(field, exc.message)
            continue
        draft.keep_upload(name, stored)
        form.note_kept(name, draft.documents[name])


def _engine_checks(form: ApplicationForm, definition: ServiceDefinition, language: str) -> None:
    """The engine's own checks, so what passes here is what `submit` accepts."""
    values = form.applicant_values()
    try:
        clean_applicant(Applicant(language=language, **values))
    except ValidationError as exc:
        form.add_engine_error(exc)
    try:
        clean_data(definition, form.data_values(), language=language)
    except ValidationError as exc:
        form.add_engine_error(exc)


def _render_apply(
    request: HttpRequest,
    service: Service,
    definition: ServiceDefinition,
    form: ApplicationForm,
    status: int = 200,
) -> HttpResponse:
    language = _language()
    fee = presenters.fee_text(definition, language)
    context = {
        "service": service,
        "name": presenters.service_name(service, language),
        "form": form,
        "fee": fee,
        "documents": presenters.requirements(definition, language)["documents"],
    }
    return render(request, "portal/apply.html", context, status=status)


@require_GET
def fee_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The fee for the values typed so far (htmx, on the application form)."""
    _service, _version, definition = _published(code)
    language = _language()
    form = ApplicationForm(
        request.GET, definition=definition, language=language, with_applicant=False, partial=True
    )
    amount = None
    if form.is_valid():
        try:
            data = clean_data(
                definition, _with_draft_data(request, code, form), language=language, partial=True
            )
            amount = fee_for(definition.raw, data)
        except LoketError:
            amount = None  # a field the formula needs is still empty or out of range
    return render(
        request,
        "portal/_fee_preview.html",
        {
            "fee": presenters.fee_text(definition, language),
            "amount": presenters.rupiah(amount) if amount is not None else "",
        },
    )


def _with_draft_data(request: HttpRequest, code: str, form: ApplicationForm) -> dict[str, Any]:
    """What was typed on this page over the answers of the other pages so far (a
    service whose data spans several pages computes its fee from all of them)."""
    draft = drafts.load(request.session, code)
    posted = {name.removeprefix(DATA_PREFIX) for name in form.data if name.startswith(DATA_PREFIX)}
    kept = {k: v for k, v in (draft.data if draft else {}).items() if k not in posted}
    return {**kept, **form.data_values()}


@never_cache
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, code: str) -> HttpResponse:
    service, version, definition = _published(code)
    if request.method == "POST":
        earlier = drafts.submitted_as(request.session, request.POST.get("idempotency_key", ""))
        if earlier:  # a second click after the first one went through
            return redirect("portal:receipt", tracking_number=earlier)
    draft = drafts.load(request.session, code)
    if draft is None:
        # An expired session or a lost cookie, not the applicant's fault: the draft is
        # on the server, and a code sent to their contact gives it back.
        from loket.portal.apply_views import session_expired

        return session_expired(request, code)
    if not draft.is_complete:
        messages.info(request, _("Fill in the application form first."))
        return redirect("portal:apply", code=code)
    problem = _draft_problem(draft, version, definition)
    if problem:
        draft.is_complete = False
        drafts.save(request.session, draft)
        messages.error(request, problem)
        return redirect("portal:apply", code=code)
    if request.method == "POST":
        return _submit(request, service, draft)
    language = _language()
    cleaned = clean_data(definition, draft.data, language=language)
    context = {
        "service": service,
        "name": presenters.service_name(service, language),
        "draft": draft,
        "applicant": draft.applicant,
        "data_sections": _data_sections(code, definition, draft.data, language),
        "documents": _document_rows(definition, draft, language),
        "fee_amount": _fee_or_none(definition, cleaned),
        "fee": presenters.fee_text(definition, language),
        "time": presenters.duration_text(definition.service_deadline),
        # Check-your-answers: each section links to its page of the step-by-step form.
        "change": {
            step.slug: reverse("portal:apply_step", kwargs={"code": code, "number": number})
            for number, step in enumerate(wizard.steps(definition), start=1)
        },
    }
    return render(request, "portal/review.html", context)


def _data_sections(
    code: str, definition: ServiceDefinition, data: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    """The data as answered, one section per page of the form, each with its "Change"."""
    sections = []
    for number, step in enumerate(wizard.steps(definition), start=1):
        if not step.is_data:
            continue
        page = {name: value for name, value in data.items() if name in step.data_fields}
        sections.append(
            {
                "slug": step.slug,
                "title": step.title,
                "change_url": reverse("portal:apply_step", kwargs={"code": code, "number": number}),
                "rows": definition.display_rows(page, language),
            }
        )
    return sections


def _draft_problem(
    draft: drafts.Draft, version: ServiceVersion, definition: ServiceDefinition
) -> str:
    if draft.version != version.number:
        return _("The requirements of this service changed; please check your application.")
    gone = drafts.missing_documents(draft)
    if gone:
        for name in gone:
            draft.documents.pop(name, None)
        return _("An uploaded file has expired; please upload it again.")
    return ""


def _fee_or_none(definition: ServiceDefinition, data: dict[str, Any]) -> str:
    try:
        return presenters.rupiah(fee_for(definition.raw, data))
    except LoketError:
        return ""


def _document_rows(
    definition: ServiceDefinition, draft: drafts.Draft, language: str
) -> list[dict[str, Any]]:
    rows = []
    for spec in presenters.requirements(definition, language)["documents"]:
        kept = draft.documents.get(spec["name"])
        rows.append({**spec, "file": kept})
    return rows


def _submit(request: HttpRequest, service: Service, draft: drafts.Draft) -> HttpResponse:
    key = request.POST.get("idempotency_key", "")
    if key != draft.idempotency_key:
        messages.error(request, _("Your application changed in another window; check it again."))
        return redirect("portal:review", code=service.code)
    try:
        throttle.reserve_submission(
            request,
            email=str(draft.applicant.get("email", "")),
            phone=str(draft.applicant.get("phone", "")),
        )
    except RateLimited as refused:
        messages.error(request, refused.message)
        return redirect("portal:review", code=service.code)
    files = drafts.open_documents(draft)
    try:
        submission = case_services.submit(
            service_code=service.code,
            applicant=Applicant(language=_language(), **draft.applicant),
            data=draft.data,
            documents=dict(files),
            user=_user(request),
            idempotency_key=key,
        )
    except NotFound:
        raise Http404(_("This service no longer accepts applications.")) from None
    except ValidationError as exc:
        draft.is_complete = False
        drafts.save(request.session, draft)
        messages.error(request, exc.message)
        return redirect("portal:apply", code=service.code)
    finally:
        for handle in files.values():
            handle.close()
    case = submission.case
    drafts.remember_receipt(request.session, key, case.tracking_number, submission.access_code)
    drafts.discard(request.session, service.code)
    access.prove(request, case)
    return redirect("portal:receipt", tracking_number=case.tracking_number)


@never_cache
@require_GET
def receipt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = access.case_for_request(request, tracking_number)
    if case is None:
        raise Http404(_("No such application."))
    language = _language()
    definition = compiled(case.service_version)
    context = {
        "case": case,
        "name": presenters.service_name(case.service, language),
        "access_code": drafts.take_access_code(request.session, case.tracking_number),
        "deadline": presenters.deadline(case),
        "fee_amount": _fee_or_none(definition, case.data),
        "fee": presenters.fee_text(definition, language),
    }
    return render(request, "portal/receipt.html", context)


@login_required
@never_cache
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    language = _language()
    rows = [
        {
            "case": case,
            "name": presenters.service_name(case.service, language),
            "deadline": presenters.deadline(case),
        }
        for case in portal_selectors.cases_of_user(request.user)
    ]
    return render(request, "portal/my_applications.html", {"rows": rows})


# -- tracking ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def track_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = TrackForm(initial={"tracking_number": request.GET.get("nomor", "")[:32]})
        return render(request, "portal/track_form.html", {"form": form})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track_form.html", {"form": form}, status=422)
    try:
        case = throttle.case_with_access_code(
            request, form.cleaned_data["tracking_number"], form.cleaned_data["access_code"]
        )
    except (RateLimited, NotFound) as refused:
        form.add_error(None, refused.message)
        status = 429 if isinstance(refused, RateLimited) else 422
        return render(request, "portal/track_form.html", {"form": form}, status=status)
    access.prove(request, case)
    return redirect("portal:track", tracking_number=case.tracking_number)


def _case_or_404(request: HttpRequest, tracking_number: str) -> Case:
    case = access.case_for_request(request, tracking_number)
    if case is None:
        raise Http404(_("No such application."))
    return case


@never_cache
@require_GET
def track(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = access.case_for_request(request, tracking_number)
    if case is None:
        # The same answer whether or not the number exists: ask for the access code.
        return redirect(f"{reverse('portal:track_form')}?nomor={tracking_number[:32]}")
    return _render_case(request, case)


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    resubmit_form: ApplicationForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    language = _language()
    definition = compiled(case.service_version)
    view = tracking.view(case)
    waiting = case.status == CaseStatus.AWAITING_APPLICANT
    if waiting and resubmit_form is None:
        resubmit_form = ApplicationForm(
            initial=initial_from(case.data),
            definition=definition,
            language=language,
            with_applicant=False,
            partial=True,
        )
    request_event = view.request if waiting else None
    requested = (
        revisions.requested_items(request_event, definition, language) if request_event else []
    )
    context = {
        **_status_context(case, language, view),
        "request_event": request_event,
        "respond_by": request_event.respond_by_at if request_event else None,
        "resubmit_form": resubmit_form if waiting else None,
        "requested": requested,
        "requested_fields": {item.form_field for item in requested},
        "cancel_form": None if case.is_closed else (cancel_form or CancelForm()),
        # Anyone holding the access code reads this page: NIK and phone fields masked.
        "data_rows": presenters.data_rows(definition, definition.masked_data(case.data), language),
        # The bill is read only for a case that has had one (the read model knows).
        **(bill_context(case, language) if view.has_bill else {"bill": None}),
    }
    return render(request, "portal/track.html", context, status=status)


def _status_context(case: Case, language: str, view: tracking.View | None = None) -> dict[str, Any]:
    """The status block: from the case row and its tracking read model (ADR 0023); the
    issued documents are read only once one was issued."""
    view = view or tracking.view(case)
    definition = compiled(case.service_version)
    documents = list(document_selectors.documents_of_case(case)) if view.has_issued else []
    return {
        "case": case,
        "journey": journey.journey(case, definition, language),
        "name": presenters.service_name(case.service, language),
        "current_steps": [definition.step_name(step, language) for step in case.current_steps],
        "timeline": presenters.timeline(case, view.timeline, language),
        "deadline": presenters.deadline(case),
        "issued": documents,
        "licence_pending": case_selectors.licence_pending(case),
    }


@never_cache
@require_GET
def track_status(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The status block alone, polled by htmx while the case is open."""
    case = _case_or_404(request, tracking_number)
    return render(request, "portal/_case_status.html", _status_context(case, _language()))


@csrf_exempt
@never_cache
@require_POST
def resubmit(request: HttpRequest, tracking_number: str) -> HttpResponse:
    _capped_uploads(request)
    return _resubmit(request, tracking_number)


@csrf_protect
def _resubmit(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = _case_or_404(request, tracking_number)
    definition = compiled(case.service_version)
    form = ApplicationForm(
        request.POST,
        request.FILES,
        definition=definition,
        language=_language(),
        with_applicant=False,
        partial=True,
    )
    if not form.is_valid():
        return _render_case(request, case, resubmit_form=form, status=422)
    try:
        case_services.resubmit(
            case_id=case.pk, data=form.data_values(), documents=form.uploads(), user=_user(request)
        )
    except ValidationError as exc:
        form.add_engine_error(exc)
        return _render_case(request, case, resubmit_form=form, status=422)
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect("portal:track", tracking_number=case.tracking_number)
    messages.success(request, _("Your revised application was sent. The review continues."))
    return redirect("portal:track", tracking_number=case.tracking_number)


@never_cache
@require_POST
def cancel(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = _case_or_404(request, tracking_number)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, cancel_form=form, status=422)
    if request.POST.get("confirmed") != "yes":
        # Withdrawing cannot be undone: ask once more, on a page of its own.
        if case.is_closed:
            return redirect("portal:track", tracking_number=case.tracking_number)
        return render(
            request,
            "portal/cancel_confirm.html",
            {"case": case, "name": presenters.service_name(case.service, _language()),
             "reason": form.cleaned_data["reason"]},
        )  # fmt: skip
    try:
        case_services.cancel(
            case_id=case.pk, reason=form.cleaned_data["reason"], user=_user(request)
        )
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("portal:track", tracking_number=case.tracking_number)


@never_cache
@require_GET
def download(request: HttpRequest, tracking_number: str, document_id: str) -> FileResponse:
    """The issued PDF, streamed from storage, only to whoever may see the case."""
    case = _case_or_404(request, tracking_number)
    document = next(
        (d for d in document_selectors.documents_of_case(case) if str(d.pk) == document_id), None
    )
    if document is None:
        raise Http404(_("No such document."))
    filename = get_valid_filename(f"{document.number}.pdf".replace("/", "-"))
    return FileResponse(
        open_stored(document.pdf),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
