"""The officers' complaint pages: their queue and one complaint, where they act on it.

They sit in the workspace (behind its sign-in with a second factor) and call the
complaints app's selectors and operations; who may see or act is decided there.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from loket.complaints import selectors, services
from loket.complaints.forms import (
    AnswerForm,
    ForwardForm,
    RaiseTierForm,
    ReasonForm,
    VerifyForm,
)
from loket.complaints.models import Complaint
from loket.core.errors import LoketError
from loket.documents.services import open_stored
from loket.org.models import Position
from loket.workspace.decorators import current_officer, officer_required
from loket.workspace.selectors import page_of


def _add_error(form: Any, error: LoketError) -> None:
    name = error.field if error.field in form.fields else None
    form.add_error(name, error.message)


@never_cache
@officer_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    officer = current_officer(request)
    open_complaints = selectors.queue_for(officer)
    complaints, paging = page_of(
        open_complaints, total=open_complaints.count(), requested=request.GET.get("page")
    )
    return render(
        request,
        "complaints/queue.html",
        {"complaints": complaints, "now": timezone.now(), "paging": paging, "paging_query": ""},
    )


def _forward_positions(complaint: Complaint) -> list[Position]:
    # Any position of an agency that takes complaints on this installation.
    return list(
        Position.objects.filter(agency__complaint_policy__isnull=False)
        .exclude(pk=complaint.position_id)
        .select_related("unit", "agency")
        .order_by("agency__name", "unit__name", "title")
    )


ACTIONS = {
    "verify": VerifyForm,
    "reject": ReasonForm,
    "ask": ReasonForm,
    "forward": ForwardForm,
    "raise_tier": RaiseTierForm,
    "follow_up": None,
    "answer": AnswerForm,
}


def _act(action: str, form: Any, complaint: Complaint, officer: Any) -> None:
    data = form.cleaned_data if form is not None else {}
    common = {"complaint_id": complaint.pk, "officer": officer}
    if action == "verify":
        services.verify(
            **common,
            tier=data["tier"],
            make_confidential=data["make_confidential"],
            make_anonymous=data["make_anonymous"],
        )
    elif action == "reject":
        services.reject(**common, reason=data["reason"])
    elif action == "ask":
        services.ask_information(**common, question=data["reason"])
    elif action == "forward":
        services.forward(**common, position_id=data["position"], reason=data["reason"])
    elif action == "raise_tier":
        services.raise_tier(**common, tier=data["tier"], reason=data["reason"])
    elif action == "follow_up":
        services.start_follow_up(**common)
    elif action == "answer":
        services.answer(**common, text=data["text"])


@never_cache
@officer_required
@require_http_methods(["GET", "POST"])
def officer_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    officer = current_officer(request)
    view = selectors.officer_view(officer, complaint_id)
    if view is None:
        raise Http404(_("No such complaint in your queues."))
    complaint = view.complaint
    forms_by_action: dict[str, Any] = {
        "verify": VerifyForm(),
        "reject": ReasonForm(prefix="reject"),
        "ask": ReasonForm(prefix="ask"),
        "forward": ForwardForm(prefix="forward", positions=_forward_positions(complaint)),
        "raise_tier": RaiseTierForm(prefix="raise"),
        "answer": AnswerForm(prefix="answer"),
    }
    status = 200
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS or not view.may_act:
            raise Http404(_("No such action."))
        form = None
        if ACTIONS[action] is not None:
            form = forms_by_action[action].__class__(
                request.POST,
                prefix=forms_by_action[action].prefix,
                **({"positions": _forward_positions(complaint)} if action == "forward" else {}),
            )
            forms_by_action[action] = form
        if form is None or form.is_valid():
            try:
                _act(action, form, complaint, officer)
            except LoketError as refused:
                if form is not None:
                    _add_error(form, refused)
                error = refused.message
                status = refused.status if refused.status < 500 else 400
            else:
                return redirect("workspace:complaint_detail", complaint.pk)
        else:
            status = 422
    return render(
        request,
        "complaints/officer_detail.html",
        {
            "view": view,
            "complaint": complaint,
            "forms": forms_by_action,
            "error": error,
            "events": list(
                complaint.events.select_related("officer", "position").order_by("sequence")
            ),
        },
        status=status,
    )


@never_cache
@officer_required
@require_GET
def photo(request: HttpRequest, complaint_id: int, photo_id: int) -> HttpResponseBase:
    """A complaint's photo, for the officers who may see the complaint; never public."""
    view = selectors.officer_view(current_officer(request), complaint_id)
    found = (
        view.complaint.photos.filter(pk=photo_id).select_related("stored_file").first()
        if (view is not None)
        else None
    )
    if found is None:
        raise Http404(_("No such complaint in your queues."))
    stored = found.stored_file
    response = FileResponse(open_stored(stored), content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
