"""Officer pages for the work itself: the queue, a task, its documents, a unit's open tasks.

Every page needs a signed-in officer with a verified second factor
(`officer_required`); a task or case outside the officer's reach answers 404,
so nobody learns which tracking numbers exist. Changes go through the case
engine's operations; forms post, then redirect (POST-redirect-GET), and the
engine's row locks decide races. htmx requests get a fragment of the page
instead, but every action works as a plain form without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from loket.cases import personal_data, policy, services
from loket.cases import revision as revisions
from loket.cases.models import CaseDocument, ReadChannel, Task, TaskStatus
from loket.cases.policy import PersonalData, Reach
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.catalog.fields import localized
from loket.core.errors import AuthorityError, ConflictError, LoketError, ValidationError
from loket.documents.models import StoredFile
from loket.documents.services import may_show_inline, open_stored
from loket.org.models import Officer
from loket.org.selectors import acting_days_left, holders_at
from loket.workspace import presenters, selectors, signing
from loket.workspace.decorators import current_officer, officer_required
from loket.workspace.forms import DecisionForm, QueueFilterForm, ReassignForm, capacity_label


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# -- the queue ---------------------------------------------------------------------------


@officer_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The officer's tasks for every position held today, with filters and counts."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    form = QueueFilterForm(
        request.GET, services=selectors.queue_services(reach), language=presenters.language()
    )
    service_id, state = None, selectors.QueueState.ALL
    if form.is_valid():
        service_id = form.cleaned_data["service"]
        state = selectors.QueueState(form.cleaned_data["state"] or "all")
    counts = selectors.queue_counts(reach, officer, at=now, service_id=service_id)
    tasks, paging = selectors.page_of(
        selectors.queue(reach, officer, at=now, state=state, service_id=service_id),
        total=counts.of(state),
        requested=request.GET.get("page"),
    )
    context = {
        "officer": officer,
        "reach": reach,
        "holdings": [
            (h, capacity_label(h.capacity), acting_days_left(h, now)) for h in reach.holdings
        ],
        "form": form,
        "state": state.value,
        "counts": counts,
        "rows": [_queue_row(task, reach, officer) for task in tasks],
        "paging": paging,
        "paging_query": _filters_query(request, ("service", "state")),
        "now": now,
    }
    template = "workspace/_queue.html" if _is_htmx(request) else "workspace/home.html"
    return render(request, template, context)


def _filters_query(request: HttpRequest, names: tuple[str, ...]) -> str:
    """The page's filters as a query string for its page links ("" or "a=1&b=2&")."""
    kept = {name: request.GET[name] for name in names if request.GET.get(name)}
    return urlencode(kept) + "&" if kept else ""


def _queue_row(task: Task, reach: Reach, officer: Officer) -> dict[str, Any]:
    return {
        "task": task,
        "task_name": presenters.task_name(task),
        "service_name": presenters.service_name(task.case),
        "position_title": presenters.position_title(task.position),
        "capacity": capacity_label(reach.capacity_for(task.position_id)),
        "is_mine": task.claimed_by_id == officer.pk,
    }


# -- one task ----------------------------------------------------------------------------


def _task_in_reach(request: HttpRequest, task_id: int) -> tuple[Task, Reach]:
    task, reach, _access = _task_and_access(request, task_id)
    return task, reach


def _task_and_access(request: HttpRequest, task_id: int) -> tuple[Task, Reach, PersonalData]:
    """The task, the officer's reach and what they may see of its case; 404 outside reach."""
    officer = current_officer(request)
    reach = policy.reach_of(officer, timezone.now())
    task = selectors.task_detail(task_id)
    access = policy.officer_case_access(reach, task.case) if task is not None else None
    if task is None or access is None:
        raise Http404(_("There is no such task in your reach."))
    return task, reach, access


def _task_context(
    request: HttpRequest,
    task: Task,
    reach: Reach,
    form: DecisionForm | None = None,
    access: PersonalData = PersonalData.MASKED,
) -> dict[str, Any]:
    officer = current_officer(request)
    case = task.case
    definition = compiled(case.service_version)
    events = list(case.events.select_related("officer", "position").order_by("sequence"))
    may_act = policy.holding_for_task(reach, task) is not None
    documents = presenters.document_groups(case, definition)
    if form is None:
        form = _decision_form(definition, task, documents)
    return {
        "task": task,
        "case": case,
        "officer": officer,
        "reach": reach,
        "service_name": presenters.service_name(case),
        "step_name": definition.step_name(task.step_id, presenters.language()),
        "position_title": presenters.position_title(task.position),
        "capacity": capacity_label(reach.capacity_for(task.position_id)),
        "may_act": may_act,
        # The page asks for a claim before it offers the decision form.
        # The page shows the decision form once the officer has claimed the task (so two
        # officers never fill it in at once); the authority itself is the policy's.
        "may_decide": policy.may_decide(reach, task) and task.claimed_by_id == officer.pk,
        "may_claim": policy.may_claim(reach, task),
        "may_reassign": policy.may_reassign(reach, task),
        "full_personal_data": access == PersonalData.FULL,
        "applicant": policy.applicant_fields(case, access),
        "decided_message": decided_message(task),
        "decision_label": presenters.decision_label(task.decision),
        "form": form,
        "data_rows": presenters.data_rows(policy.case_data(case, definition, access), definition),
        "documents": documents,
        "changes": presenters.changes(case, definition),
        "signs_document": signing.signs_document(definition, task.step_id),
        "checks": presenters.automatic_checks(events, definition),
        "timeline": presenters.timeline(events, definition),
        "other_tasks": [
            (other, presenters.task_name(other, definition))
            for other in case.tasks.exclude(pk=task.pk).select_related("position", "decided_by")
        ],
    }


def _decision_form(
    definition: ServiceDefinition,
    task: Task,
    documents: list[presenters.DocumentGroup],
    data: Any = None,
) -> DecisionForm:
    """The decision form with a checklist row per document sent and the fields a return
    may name, in the officer's language."""
    lang = presenters.language()
    return DecisionForm(
        data,
        actions=definition.actions(task.step_id),
        documents=[(group.name, group.label) for group in documents],
        data_fields=[
            (spec.name, localized(spec.label, lang) or spec.name) for spec in definition.data_fields
        ],
        prefix="d",
    )


def decided_message(task: Task) -> str:
    """What officers read about a task that is no longer open: who decided it, and when."""
    if task.status == TaskStatus.DONE and task.decided_at is not None:
        return _(
            "This task was already decided by %(position)s (%(name)s) on %(time)s: %(decision)s."
        ) % {
            "position": presenters.position_title(task.position),
            "name": task.decided_by.name if task.decided_by else "",
            "time": formats.date_format(timezone.localtime(task.decided_at), "DATETIME_FORMAT"),
            "decision": presenters.decision_label(task.decision),
        }
    if task.status == TaskStatus.CANCELLED:
        return _("This task was closed without a decision: the application moved on.")
    return ""


@officer_required
@require_GET
@never_cache
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    task, reach, access = _task_and_access(request, task_id)
    if access == PersonalData.FULL:
        personal_data.record_read(
            case=task.case, channel=ReadChannel.WORKSPACE, officer=current_officer(request)
        )
    context = _task_context(request, task, reach, access=access)
    return render(request, "workspace/task.html", context)


def _after_act(request: HttpRequest, task_id: int) -> HttpResponse:
    """Where an act ends: the task page, or its action panel for an htmx request."""
    if _is_htmx(request):
        task, reach = _task_in_reach(request, task_id)
        context = {**_task_context(request, task, reach), "inline_messages": True}
        return render(request, "workspace/_task_actions.html", context)
    return redirect("workspace:task", task_id=task_id)


def _explain_refusal(request: HttpRequest, task_id: int, exc: LoketError) -> None:
    """Turn an engine refusal into a message; a decision taken by someone else names them."""
    task = selectors.task_detail(task_id)
    message = decided_message(task) if task is not None and isinstance(exc, ConflictError) else ""
    messages.error(request, message or exc.message)


@officer_required
@require_POST
def claim(request: HttpRequest, task_id: int) -> HttpResponse:
    """Take the task so no other officer works on it at the same time."""
    _task_in_reach(request, task_id)
    try:
        services.claim_task(task_id=task_id, officer=current_officer(request))
    except (ConflictError, AuthorityError) as exc:
        _explain_refusal(request, task_id, exc)
    else:
        messages.success(request, _("You are working on this task now. Other officers see that."))
    return _after_act(request, task_id)


@officer_required
@require_POST
def decide(request: HttpRequest, task_id: int) -> HttpResponse:
    """Approve, reject or return. A second submit (double click) meets the first's result."""
    task, reach, access = _task_and_access(request, task_id)
    definition = compiled(task.case.service_version)
    documents = presenters.document_groups(task.case, definition)
    form = _decision_form(definition, task, documents, request.POST)
    if not form.is_valid():
        return _form_again(request, task, reach, form, access)
    decision = form.cleaned_data["decision"]
    try:
        if _needs_confirmation(definition, task, form):
            # Checked now, so the signer is not sent to confirm what would be refused.
            revisions.review_payload(
                definition,
                decision=decision,
                checklist=form.checklist(),
                requested_fields=form.requested_field_names(),
            )
            # Whoever could not decide meets the engine's refusal below instead.
            if policy.may_decide(reach, task):
                if access == PersonalData.FULL:  # the page names the applicant
                    personal_data.record_read(
                        case=task.case,
                        channel=ReadChannel.WORKSPACE,
                        officer=current_officer(request),
                    )
                context = _task_context(request, task, reach, form, access)
                return signing.confirmation(request, task, form, context)
        services.decide(
            task_id=task_id,
            officer=current_officer(request),
            decision=decision,
            reason=form.cleaned_data["reason"],
            checklist=form.checklist(),
            requested_fields=form.requested_field_names(),
        )
    except ValidationError as exc:
        form.add_error(form.engine_field(exc.field or ""), exc.message)
        return _form_again(request, task, reach, form, access)
    except (ConflictError, AuthorityError) as exc:
        _explain_refusal(request, task_id, exc)
        return redirect("workspace:task", task_id=task_id)
    messages.success(
        request,
        _("Decision recorded for %(number)s: %(decision)s.")
        % {
            "number": task.case.tracking_number,
            "decision": presenters.decision_label(form.cleaned_data["decision"]),
        },
    )
    return redirect("workspace:home")


def _needs_confirmation(definition: ServiceDefinition, task: Task, form: DecisionForm) -> bool:
    """An approval that issues the document, not yet confirmed on the confirmation page."""
    return (
        form.cleaned_data["decision"] == "approve"
        and not form.cleaned_data.get("confirmed")
        and signing.signs_document(definition, task.step_id)
    )


def _form_again(
    request: HttpRequest, task: Task, reach: Reach, form: DecisionForm, access: PersonalData
) -> HttpResponse:
    context = {**_task_context(request, task, reach, form, access), "inline_messages": True}
    if _is_htmx(request):
        return render(request, "workspace/_task_actions.html", context)
    if access == PersonalData.FULL:  # the whole page again, applicant's data included
        personal_data.record_read(
            case=task.case, channel=ReadChannel.WORKSPACE, officer=current_officer(request)
        )
    return render(request, "workspace/task.html", context)


# -- documents -----------------------------------------------------------------------------


@officer_required
@require_GET
@xframe_options_sameorigin  # the task page shows PDFs in a frame; other sites may not
def document(request: HttpRequest, task_id: int, document_id: int) -> HttpResponseBase:
    """Stream a document of the task's case inline (an attachment if it is a PDF
    with scripts or actions), with the type found from its content.

    Uploads (ID-card scans among them) are full personal data: only officers who see the
    case in full may open them, and every opening is audited.
    """
    task, _reach, access = _task_and_access(request, task_id)
    doc = CaseDocument.objects.filter(case_id=task.case_id, pk=document_id).first()
    content_type = presenters.CONTENT_TYPES.get(doc.kind, "") if doc else ""
    stored = StoredFile.objects.filter(storage_name=doc.storage_name).first() if doc else None
    if access != PersonalData.FULL or doc is None or stored is None or not content_type:
        raise Http404(_("There is no such document."))
    personal_data.record_read(
        case=task.case,
        channel=ReadChannel.DOCUMENT,
        officer=current_officer(request),
        detail=f"{doc.name} (revision {doc.revision})",
    )
    response = FileResponse(
        open_stored(stored),
        content_type=content_type,
        as_attachment=not may_show_inline(stored),
        filename=doc.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- heads of units --------------------------------------------------------------------------


@officer_required
@require_GET
def unit_tasks(request: HttpRequest) -> HttpResponse:
    """Every open task of the units the officer heads (and their sub-units), overdue first,
    each with a reassignment form when policy lets the officer reassign it."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    if not policy.may_supervise(reach):
        return render(request, "workspace/not_head.html", status=403)
    open_tasks = selectors.unit_open_tasks(reach, at=now)
    tasks, paging = selectors.page_of(
        open_tasks, total=open_tasks.count(), requested=request.GET.get("page")
    )
    # Holders per position, not per task: a unit's tasks share a few positions.
    holders = {
        pk: holders_at(t.position, now) for pk, t in {t.position_id: t for t in tasks}.items()
    }
    rows = [
        {
            "task": task,
            "task_name": presenters.task_name(task),
            "service_name": presenters.service_name(task.case),
            "position_title": presenters.position_title(task.position),
            "may_reassign": policy.may_reassign(reach, task),
            "holders": [(h.officer, capacity_label(h.capacity)) for h in holders[task.position_id]],
        }
        for task in tasks
    ]
    lapses = [
        {"case": case, "service_name": presenters.service_name(case)}
        for case in selectors.unit_statutory_lapses(reach)
    ]
    return render(
        request,
        "workspace/unit.html",
        {
            "rows": rows,
            "lapses": lapses,
            "reach": reach,
            "now": now,
            "paging": paging,
            "paging_query": "",
        },
    )


@officer_required
@never_cache
def reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    """A head gives an open task to a holder of its position, or releases the claim."""
    task, reach = _task_in_reach(request, task_id)
    if not policy.may_reassign(reach, task):
        return render(request, "workspace/not_head.html", status=403)
    holders = holders_at(task.position, timezone.now())
    form = ReassignForm(request.POST or None, holders=holders)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["assignee"]
        assignee = None if choice == ReassignForm.RELEASE else _holder(holders, choice)
        try:
            services.reassign_task(
                task_id=task_id, head=current_officer(request), assignee=assignee
            )
        except ValidationError as exc:
            form.add_error("assignee", exc.message)
        except (ConflictError, AuthorityError) as exc:
            _explain_refusal(request, task_id, exc)
            return redirect("workspace:task", task_id=task_id)
        else:
            messages.success(
                request,
                _("%(number)s now goes to %(name)s.")
                % {"number": task.case.tracking_number, "name": assignee.name}
                if assignee
                else _("The claim on %(number)s is released.")
                % {"number": task.case.tracking_number},
            )
            return redirect("workspace:unit")
    context = {
        "task": task,
        "case": task.case,
        "form": form,
        "service_name": presenters.service_name(task.case),
        "position_title": presenters.position_title(task.position),
        "step_name": compiled(task.case.service_version).step_name(
            task.step_id, presenters.language()
        ),
    }
    return render(request, "workspace/reassign.html", context)


def _holder(holders: list[Any], officer_id: str) -> Officer:
    for holding in holders:
        if str(holding.officer.pk) == officer_id:
            return holding.officer  # type: ignore[no-any-return]
    raise Http404(_("That officer does not hold the position."))
