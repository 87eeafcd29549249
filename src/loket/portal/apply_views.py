"""The step-by-step application form and getting a lost draft back.

`apply_step` is the application form one topic per page (`portal.wizard`), each
page saved to the draft in the database as it is accepted. `resume` and
`resume_code` give a draft back to a new session with a one-time code
(`portal.resume`); the review page sends an applicant whose session expired there.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from loket.cases.intake import Applicant, clean_applicant, clean_data
from loket.catalog.definitions import ServiceDefinition
from loket.catalog.fields.business import search_kbli
from loket.catalog.models import Service
from loket.core import ratelimit
from loket.core.errors import RateLimited, ValidationError
from loket.core.formats import ui_language
from loket.portal import drafts, presenters, resume, wizard
from loket.portal.forms import ApplicationForm, initial_from
from loket.portal.views import _account_defaults, _capped_uploads, _keep_uploads, _published

# The contact a code was asked for, between the two resume pages (never the code).
RESUME = "portal.resume"


def step_url(code: str, number: int) -> str:
    return reverse("portal:apply_step", kwargs={"code": code, "number": number})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def apply_step(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """One page of the application (CSRF is checked in `_apply_step`, after the upload
    handler is set)."""
    _capped_uploads(request)
    return _apply_step(request, code, number)


@csrf_protect
def _apply_step(request: HttpRequest, code: str, number: int) -> HttpResponse:
    service, version, definition = _published(code)
    step = _step_or_404(definition, number)
    language = ui_language()
    draft = drafts.load(request.session, code) or drafts.Draft(code, version.number)
    if request.method == "GET":
        applicant = draft.applicant or _account_defaults(request)
        form = wizard.step_form(
            step,
            initial=initial_from(draft.data, applicant),
            definition=definition,
            language=language,
            kept_documents=draft.documents,
        )
        return render_step(request, service, definition, form, number, draft=draft)
    if draft.version != version.number:  # the requirements changed: every page again
        draft.version, draft.completed_steps, draft.is_complete = version.number, [], False
    form = wizard.step_form(
        step,
        request.POST,
        request.FILES,
        definition=definition,
        language=language,
        kept_documents=draft.documents,
    )
    form.is_valid()
    if step.slug == wizard.DOCUMENTS:
        _keep_uploads(form, definition, draft)
    if not form.errors:
        _step_checks(step, form, definition, language, draft)
    if form.errors:
        if draft.draft_id or draft.documents:  # files stored from this post are kept
            drafts.save(request.session, draft)
        return render_step(request, service, definition, form, number, draft=draft, status=422)
    _accept(step, form, draft)
    unfinished = wizard.first_unfinished(definition, draft.completed_steps)
    draft.is_complete = unfinished == 0
    drafts.save(request.session, draft)
    if draft.is_complete:
        return redirect("portal:review", code=code)
    total = len(wizard.steps(definition))
    return redirect(step_url(code, number + 1 if number < total else unfinished))


def _step_or_404(definition: ServiceDefinition, number: int) -> wizard.Step:
    all_steps = wizard.steps(definition)
    if not 1 <= number <= len(all_steps):
        raise Http404(_("This application has no such page."))
    return all_steps[number - 1]


def _step_checks(
    step: wizard.Step,
    form: ApplicationForm,
    definition: ServiceDefinition,
    language: str,
    draft: drafts.Draft,
) -> None:
    """The engine's own checks of this page's values, so what passes is what `submit` takes.

    A data page is checked with the other pages' answers so far (the form already
    required this page's fields; the review page checks the whole)."""
    try:
        if step.slug == wizard.APPLICANT:
            clean_applicant(Applicant(language=language, **form.applicant_values()))
        elif step.is_data:
            clean_data(definition, _page_data(step, form, draft), language=language, partial=True)
    except ValidationError as exc:
        form.add_engine_error(exc)


def _page_data(step: wizard.Step, form: ApplicationForm, draft: drafts.Draft) -> dict[str, Any]:
    """The draft's data with this page's fields replaced by what was posted (a field
    emptied on this page is dropped)."""
    kept = {
        name: value
        for name, value in draft.data.items()
        if name not in step.data_fields and form.definition.field(name) is not None
    }
    return {**kept, **form.data_values()}


def _accept(step: wizard.Step, form: ApplicationForm, draft: drafts.Draft) -> None:
    if step.slug == wizard.APPLICANT:
        draft.applicant = form.applicant_values()
    elif step.is_data:
        draft.data = _page_data(step, form, draft)
    if step.slug not in draft.completed_steps:
        draft.completed_steps.append(step.slug)


def render_step(
    request: HttpRequest,
    service: Service,
    definition: ServiceDefinition,
    form: ApplicationForm,
    number: int,
    *,
    draft: drafts.Draft | None,
    status: int = 200,
    session_lost: bool = False,
    files_not_kept: bool = False,
) -> HttpResponse:
    """A page of the application; also the page after a failed CSRF check (`errors`)."""
    language = ui_language()
    all_steps = wizard.steps(definition)
    step = all_steps[number - 1]
    back_url = (
        step_url(service.code, number - 1)
        if number > 1
        else reverse("portal:service", kwargs={"code": service.code})
    )
    context = {
        "service": service,
        "name": presenters.service_name(service, language),
        "form": form,
        "step": step,
        "number": number,
        "total": len(all_steps),
        "back_url": back_url,
        "fee": presenters.fee_text(definition, language),
        "documents": presenters.requirements(definition, language)["documents"],
        "session_lost": session_lost,
        "files_not_kept": files_not_kept,
        # Offer the code where an earlier start may be lost: a session with nothing yet.
        "offer_resume": draft is None or not draft.applicant,
    }
    return render(request, "portal/apply_step.html", context, status=status)


@require_GET
def kbli_options(request: HttpRequest) -> JsonResponse:
    """KBLI 2020 codes matching `q` (a code prefix or words of the title), for the
    searchable list beside a KBLI field: public reference data, no personal data."""
    query = request.GET.get("q", "")[:100]
    found = search_kbli(query) if len(query.strip()) >= 2 else []
    response = JsonResponse({"results": [{"code": code, "title": title} for code, title in found]})
    response["Cache-Control"] = "public, max-age=86400"  # the list changes with a new KBLI only
    return response


# -- getting a draft back ------------------------------------------------------------------


class ResumeForm(forms.Form):
    contact = forms.CharField(
        label=gettext_lazy("E-mail address or mobile number"),
        help_text=gettext_lazy("The one you gave on the first page of the application."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class ResumeCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        help_text=gettext_lazy("6 digits, from the message we sent."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )


def session_expired(request: HttpRequest, code: str) -> HttpResponse:
    """What the review page shows when this session has no application (it expired, or
    the cookie was lost): the way back to the saved draft, never an empty form."""
    service, _version, _definition = _published(code)
    return _render_resume(request, service, ResumeForm(), expired=True)


def _render_resume(
    request: HttpRequest,
    service: Service,
    form: ResumeForm,
    *,
    expired: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "service": service,
        "name": presenters.service_name(service, ui_language()),
        "form": form,
        "expired": expired,
    }
    return render(request, "portal/resume.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def resume_request(request: HttpRequest, code: str) -> HttpResponse:
    service, _version, _definition = _published(code)
    if request.method == "GET":
        return _render_resume(request, service, ResumeForm())
    form = ResumeForm(request.POST)
    if not form.is_valid():
        return _render_resume(request, service, form, status=422)
    contact = form.cleaned_data["contact"].strip()
    try:
        resume.send_code(
            service_code=code,
            service_name=presenters.service_name(service, ui_language()),
            contact=contact,
            language=ui_language(),
            client_address=ratelimit.client_address(request),
        )
    except ValidationError as exc:
        form.add_error("contact", exc.message)
        return _render_resume(request, service, form, status=422)
    except RateLimited as exc:
        form.add_error(None, exc.message)
        return _render_resume(request, service, form, status=429)
    request.session[RESUME] = {"service": code, "contact": contact}
    return redirect("portal:resume_code", code=code)


@never_cache
@require_http_methods(["GET", "POST"])
def resume_code(request: HttpRequest, code: str) -> HttpResponse:
    service, _version, definition = _published(code)
    pending = request.session.get(RESUME)
    if not isinstance(pending, dict) or pending.get("service") != code:
        return redirect("portal:resume", code=code)
    form = ResumeCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            row = resume.redeem(
                service_code=code, contact=pending["contact"], code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[RESUME]
            draft = _restore(request, row, definition)
            messages.success(request, _("Welcome back: your application is as you left it."))
            if draft.is_complete:
                return redirect("portal:review", code=code)
            unfinished = wizard.first_unfinished(definition, draft.completed_steps) or 1
            return redirect(step_url(code, unfinished))
    context = {
        "service": service,
        "name": presenters.service_name(service, ui_language()),
        "form": form,
        "contact": pending["contact"],
    }
    status = 422 if form.is_bound else 200
    return render(request, "portal/resume_code.html", context, status=status)


def _restore(request: HttpRequest, row: Any, definition: ServiceDefinition) -> drafts.Draft:
    """Attach the draft to this session; what this session typed since it lost the
    old one (a page sent again after a lost cookie) is newer and wins."""
    newer = drafts.load(request.session, row.service_code)
    drafts.attach(request.session, row)
    restored = drafts.load(request.session, row.service_code)
    if restored is None:
        raise Http404(_("This application can no longer be continued."))
    if newer is not None and newer.draft_id != restored.draft_id:
        restored.applicant = newer.applicant or restored.applicant
        restored.data = {**restored.data, **newer.data}
        restored.documents = {**restored.documents, **newer.documents}
        done = set(restored.completed_steps) | set(newer.completed_steps)
        restored.completed_steps = sorted(done)
        restored.is_complete = wizard.first_unfinished(definition, restored.completed_steps) == 0
        drafts.save(request.session, restored)
        drafts.delete(newer.draft_id)
    return restored


def after_lost_session(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The form page again, filled in with what was posted, after a failed CSRF check
    (`number` 0: the one-page form). Nothing of the post is stored."""
    service, _version, definition = _published(code)
    language = ui_language()
    draft = drafts.load(request.session, code)
    kept = dict(draft.documents) if draft else {}
    if number == 0:
        form = ApplicationForm(definition=definition, language=language, kept_documents=kept)
    else:
        form = wizard.step_form(
            _step_or_404(definition, number),
            definition=definition,
            language=language,
            kept_documents=kept,
        )
    # Shown as initial values of an unbound form: the page has no error to blame on anyone.
    form.initial = {name: request.POST.get(name) for name in form.fields if name in request.POST}
    files_not_kept = bool(request.FILES)
    if number:
        return render_step(
            request,
            service,
            definition,
            form,
            number,
            draft=draft,
            status=403,
            session_lost=True,
            files_not_kept=files_not_kept,
        )
    context = {
        "service": service,
        "name": presenters.service_name(service, language),
        "form": form,
        "fee": presenters.fee_text(definition, language),
        "documents": presenters.requirements(definition, language)["documents"],
        "session_lost": True,
        "files_not_kept": files_not_kept,
    }
    return render(request, "portal/apply.html", context, status=403)
