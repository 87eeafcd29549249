"""Complaint pages: filing and following (complainant) and the public watchdog.

The officers' queue and complaint page are the workspace's (loket.workspace.complaints).

Views parse, call one operation or selector, and render. Who may see what is decided in
`selectors` (officers) and `_complaint_for` (complainants); the operations check again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.cases import throttle
from loket.catalog.models import Service
from loket.complaints import ports, selectors, services
from loket.complaints.forms import (
    FileForm,
    FollowForm,
    InformationForm,
    ReplyForm,
)
from loket.complaints.models import Complaint, Status
from loket.core.errors import LoketError, NotFound, RateLimited, ValidationError
from loket.org.models import Unit

PROVEN = "complaints.proven"
RECEIPT = "complaints.receipt"


def _proven(request: HttpRequest) -> list[str]:
    return list(request.session.get(PROVEN, []))


def _prove(request: HttpRequest, complaint: Complaint) -> None:
    proven = [n for n in _proven(request) if n != complaint.tracking_number]
    request.session[PROVEN] = [*proven, complaint.tracking_number][-50:]


def _complaint_for(request: HttpRequest, tracking_number: str) -> Complaint | None:
    """The complaint if this visitor filed it (signed in) or proved its access code."""
    complaint = selectors.by_tracking_number(tracking_number)
    if complaint is None:
        return None
    user = request.user
    if user.is_authenticated and complaint.reporter_user_id == user.pk:
        return complaint
    if complaint.tracking_number in _proven(request):
        return complaint
    return None


def _user(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


def _add_error(form: Any, error: LoketError) -> None:
    name = error.field if error.field in form.fields else None
    form.add_error(name, error.message)


# -- the complainant ----------------------------------------------------------------------


def _file_form(policy: Any, data: Any = None) -> FileForm:
    return FileForm(
        data,
        categories=selectors.categories_of(policy.agency_id),
        services=list(Service.objects.filter(agency_id=policy.agency_id, is_active=True)),
        units=list(Unit.objects.filter(agency_id=policy.agency_id).order_by("name")),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def new_complaint(request: HttpRequest) -> HttpResponse:
    policies = selectors.policies()
    if not policies:
        raise Http404(_("No agency takes complaints here yet."))
    policy = policies[0]
    if request.method == "GET":
        form = _file_form(policy)
        if request.GET.get("layanan"):
            form.initial["service_code"] = request.GET["layanan"][:80]
        return _render_file(request, form, policy)
    form = _file_form(policy, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        category = selectors.category(policy.agency_id, data["category"])
        attributes = {
            spec["code"]: request.POST.getlist(f"attribute[{spec['code']}]")
            if spec["datatype"] == "multivaluelist"
            else request.POST.get(f"attribute[{spec['code']}]", "")
            for spec in (category.attributes if category else [])
        }
        filed = services.Filed(
            category_code=data["category"],
            description=data["description"],
            subject=data["subject"],
            service_code=data["service_code"],
            unit_code=data["unit_code"],
            case_tracking_number=data["case_tracking_number"],
            case_access_code=data["case_access_code"],
            attributes=attributes,
            latitude=data["lat"],
            longitude=data["long"],
            address=data["address"],
            photos=request.FILES.getlist("photos"),
            is_confidential=data["is_confidential"],
            is_anonymous=data["is_anonymous"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            language=request.LANGUAGE_CODE,
        )
        try:
            # Every complaint mails and texts the contact it names: the same brake as
            # applications (per address, e-mail and phone) keeps it from being a weapon.
            throttle.reserve_submission(request, email=filed.email, phone=filed.phone)
            filing = services.file_complaint(
                agency_id=policy.agency_id, filed=filed, user=_user(request)
            )
        except LoketError as error:
            _add_error(form, error)
            if isinstance(error, RateLimited):
                return _render_file(request, form, policy, status=429)
        else:
            _prove(request, filing.complaint)
            request.session[RECEIPT] = {filing.complaint.tracking_number: filing.access_code}
            return redirect("complaints:receipt", filing.complaint.tracking_number)
    return _render_file(request, form, policy, status=422)


def _render_file(
    request: HttpRequest, form: FileForm, policy: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "complaints/file.html",
        {
            "form": form,
            "policy": policy,
            "categories": selectors.categories_of(policy.agency_id),
        },
        status=status,
    )


@never_cache
@require_GET
def receipt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _complaint_for(request, tracking_number)
    if complaint is None:
        raise Http404(_("No such complaint."))
    # The access code is shown once: it leaves the session as it is shown.
    codes = request.session.pop(RECEIPT, {}) or {}
    return render(
        request,
        "complaints/receipt.html",
        {
            "complaint": complaint,
            "access_code": codes.get(complaint.tracking_number, ""),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def follow_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = FollowForm(initial={"tracking_number": request.GET.get("nomor", "")[:32]})
        return render(request, "complaints/follow_form.html", {"form": form})
    form = FollowForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["tracking_number"].strip().upper()
        complaint = selectors.by_tracking_number(number)
        try:
            throttle.require_not_braked(
                request, number, _("Too many wrong attempts. Try again in %(minutes)s minutes.")
            )
            if complaint is None or not ports.check_access_code(
                complaint.tracking_number,
                form.cleaned_data["access_code"],
                complaint.access_code_hash,
            ):
                throttle.record_failure(request, number)
                raise NotFound(_("The number and access code do not match a complaint."))
        except (RateLimited, NotFound) as refused:
            form.add_error(None, refused.message)
            status = 429 if isinstance(refused, RateLimited) else 422
            return render(request, "complaints/follow_form.html", {"form": form}, status=status)
        assert complaint is not None
        _prove(request, complaint)
        return redirect("complaints:follow", complaint.tracking_number)
    return render(request, "complaints/follow_form.html", {"form": form}, status=422)


def _render_follow(
    request: HttpRequest,
    complaint: Complaint,
    *,
    info_form: Any = None,
    reply_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "complaints/follow.html",
        {
            "complaint": complaint,
            "events": list(complaint.events.order_by("sequence")),
            "info_form": info_form
            or (InformationForm() if complaint.status == Status.AWAITING_INFO else None),
            "reply_form": reply_form
            or (ReplyForm() if complaint.status == Status.ANSWERED else None),
        },
        status=status,
    )


@never_cache
@require_GET
def follow(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _complaint_for(request, tracking_number)
    if complaint is None:
        return redirect(f"{reverse('complaints:follow-form')}?nomor={tracking_number[:32]}")
    return _render_follow(request, complaint)


@never_cache
@require_POST
def supply(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _complaint_for(request, tracking_number)
    if complaint is None:
        raise Http404(_("No such complaint."))
    form = InformationForm(request.POST)
    if form.is_valid():
        try:
            services.supply_information(
                complaint_id=complaint.pk, text=form.cleaned_data["text"], user=_user(request)
            )
        except LoketError as error:
            _add_error(form, error)
        else:
            return redirect("complaints:follow", complaint.tracking_number)
    return _render_follow(request, complaint, info_form=form, status=422)


@never_cache
@require_POST
def reply(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _complaint_for(request, tracking_number)
    if complaint is None:
        raise Http404(_("No such complaint."))
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply(
                complaint_id=complaint.pk,
                text=form.cleaned_data["text"],
                is_satisfied=form.cleaned_data["is_satisfied"],
                user=_user(request),
            )
        except LoketError as error:
            _add_error(form, error)
        else:
            return redirect("complaints:follow", complaint.tracking_number)
    return _render_follow(request, complaint, reply_form=form, status=422)


# -- the public watchdog ------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """The public list, by keyset: `?sebelum=<cursor>` older, `?sesudah=<cursor>` newer."""
    older, newer = request.GET.get("sebelum", ""), request.GET.get("sesudah", "")
    error, status = "", 200
    try:
        if older and newer:
            raise ValidationError(_("This page link is not valid."), field="cursor")
        page = selectors.public_page(
            older_than=selectors.Cursor.parse(older) if older else None,
            newer_than=selectors.Cursor.parse(newer) if newer else None,
        )
    except ValidationError as refused:
        # A link someone edited: say so and show the newest page, never a 500.
        error, status = refused.message, 400
        page = selectors.public_page()
    return render(
        request,
        "complaints/public_list.html",
        {
            "page": page,
            "error": error,
            "counts": selectors.counts_per_unit(),
            "now": timezone.now(),
        },
        status=status,
    )


@require_GET
def public_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = selectors.by_tracking_number(tracking_number)
    if complaint is None or complaint.is_confidential:
        raise Http404(_("No such complaint."))
    return render(
        request,
        "complaints/public_detail.html",
        {
            "complaint": complaint,
            "events": selectors.public_events(complaint),
        },
    )
