"""The signer's last look: a watermarked preview of the document, then a confirmation step
("Setujui dan tandatangani") before an approval that issues it.

An approval at a step whose approval issues the document is never taken from the
task page's form directly: the decision view shows the confirmation page, which
carries the form's fields and posts them again with `confirmed`. A second click
meets the first decision (the engine's row lock), never a second document.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from loket.cases import personal_data, policy
from loket.cases.models import ReadChannel, Task
from loket.cases.policy import PersonalData
from loket.cases.selectors import public_fields
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.catalog.fields import localized
from loket.documents.preview import render_preview
from loket.workspace import presenters, selectors
from loket.workspace.decorators import current_officer, officer_required
from loket.workspace.forms import DecisionForm


def signs_document(definition: ServiceDefinition, step_id: str) -> bool:
    """Whether approving this task step issues (signs) the service's document."""
    target = (definition.step(step_id).get("actions") or {}).get("approve")
    for _hop in range(len(definition.steps)):
        if not isinstance(target, str) or not definition.has_step(target):
            return False
        step = definition.step(target)
        if step.step_kind.issues_document:
            return True
        # Steps that run in the approving transaction, no person deciding (auto, join).
        if not step.step_kind.passes_through:
            return False
        target = step.get("next")
    return False


def confirmation(
    request: HttpRequest, task: Task, form: DecisionForm, context: dict[str, Any]
) -> HttpResponse:
    """The confirmation page: the preview, what will be issued, and the final button."""
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", form.add_prefix("confirmed"))
        for value in values
    ]
    definition = compiled(task.case.service_version)
    return render(
        request,
        "workspace/confirm_sign.html",
        {
            **context,
            "carried": carried,
            "confirmed_name": form.add_prefix("confirmed"),
            "document_type": localized(definition.product.document_type, presenters.language())
            or context.get("service_name", ""),
        },
    )


@officer_required
@require_GET
@never_cache
@xframe_options_sameorigin  # shown in a frame of the confirmation page
def preview(request: HttpRequest, task_id: int) -> HttpResponse:
    """The document as it would be issued if the signer approved now: unsigned, unnumbered,
    watermarked. Only an officer who may decide the task sees it (it carries the
    applicant's name, so each opening is audited like a document)."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    task = selectors.task_detail(task_id)
    access = policy.officer_case_access(reach, task.case) if task is not None else None
    holding = policy.holding_for_task(reach, task) if task is not None else None
    if (
        task is None
        or access != PersonalData.FULL
        or holding is None
        or not policy.may_decide(reach, task)
    ):
        raise Http404(_("There is no such task in your reach."))
    definition = compiled(task.case.service_version)
    if not signs_document(definition, task.step_id):
        raise Http404(_("This step issues no document."))
    personal_data.record_read(
        case=task.case, channel=ReadChannel.DOCUMENT, officer=officer, detail="document preview"
    )
    content = render_preview(
        case=task.case,
        fields=public_fields(task.case),
        officer=officer,
        position=task.position,
        capacity=str(holding.capacity),
        at=now,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="pratinjau-{task.case.tracking_number}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
