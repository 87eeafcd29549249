"""The events Loket tells people about, and the context each template needs.

Every event has an e-mail/in-app template `notify/<event>.<lang>.txt` (first line
is the subject, the rest is the body) and a short SMS template
`notify/<event>.<lang>.sms.txt`, in Indonesian (`id`) and English (`en`).

Context keys (all plain strings unless noted):

- ``applicant_name``: how to address the applicant ("Budi Santoso").
- ``tracking_number``: the case's public tracking number.
- ``service_name``: the service's name in the message language.
- ``track_url``: absolute URL of the case's tracking page.
- ``reason``: the officer's reason for returning, rejecting or cancelling.
- ``due_date``: a ``date``/``datetime``: the promised completion date
  (received, overdue_apology), the date to fix a returned application by
  (returned) or a task's deadline (task_overdue_escalated).
- ``new_due_date``: a ``date``/``datetime``: the new expected completion date
  (overdue_apology, optional).
- ``document_url``: absolute URL where the issued document can be downloaded.
- ``officer_name``: how to address the officer receiving an escalation.
- ``position_name``: the position that held the overdue task.
- ``step_name``: the step the overdue task belongs to.
- ``task_url``: absolute URL of the task in the officer workspace.
- ``complete_date``: a ``datetime``: when the application was declared complete
  (statutory_deadline_lapsed; ``due_date`` is then the statutory deadline).
- ``capacity``: Plt or Plh (acting_designation_expiring; ``due_date`` is the
  designation's last day).
- ``unit_url``: absolute URL of the head of unit's page in the workspace.
- ``access_code``: the case's access code, in clear: in received (the first code) and
  access_code_reissued (a replacement asked for with "Lupa kode akses?").
- ``agency_name``: the agency signing applicant messages (optional, every event).
- ``survey_url``: the satisfaction survey link (surveys app), optional in approved,
  rejected and cancelled; required in survey_invitation.

Keys not listed for an event are passed through to the template, so an agency's
own template may use more.
"""

from __future__ import annotations

from dataclasses import dataclass

_APPLICANT = ("applicant_name", "tracking_number", "service_name", "track_url")

# Context keys whose value opens something (the case's page, a single-use survey
# link): a message that may carry one is not shown to operators (notify admin).
SECRET_KEYS = frozenset({"access_code", "survey_url"})


@dataclass(frozen=True)
class EventSpec:
    name: str
    audience: str  # "applicant" or "officer": who the templates speak to
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def may_carry_secret(self) -> bool:
        return not SECRET_KEYS.isdisjoint((*self.required, *self.optional))


EVENTS: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec("received", "applicant", _APPLICANT, ("due_date", "access_code")),
        EventSpec("access_code_reissued", "applicant", (*_APPLICANT, "access_code")),
        EventSpec("returned", "applicant", (*_APPLICANT, "reason"), ("due_date",)),
        EventSpec("approved", "applicant", _APPLICANT, ("survey_url",)),
        EventSpec("rejected", "applicant", (*_APPLICANT, "reason"), ("survey_url",)),
        EventSpec("issued", "applicant", (*_APPLICANT, "document_url")),
        EventSpec("cancelled", "applicant", _APPLICANT, ("reason", "survey_url")),
        EventSpec("withdrawn_lapsed", "applicant", (*_APPLICANT, "reason")),
        EventSpec("overdue_apology", "applicant", (*_APPLICANT, "due_date"), ("new_due_date",)),
        EventSpec(
            "task_overdue_escalated",
            "officer",
            (
                "officer_name",
                "tracking_number",
                "service_name",
                "step_name",
                "position_name",
                "due_date",
                "task_url",
            ),
        ),
        EventSpec(
            "acting_designation_expiring",
            "officer",
            ("officer_name", "position_name", "capacity", "due_date"),
        ),
        EventSpec(
            "statutory_deadline_lapsed",
            "officer",
            (
                "officer_name",
                "tracking_number",
                "service_name",
                "complete_date",
                "due_date",
                "unit_url",
            ),
        ),
    )
}


def register_event(spec: EventSpec) -> None:
    """Let another app add its own event (e.g. accounts' ``verify_email``).

    Call from ``AppConfig.ready``; put the templates under that app's
    ``templates/notify/`` directory. Re-registering the same spec is harmless.
    """
    existing = EVENTS.get(spec.name)
    if existing is not None and existing != spec:
        raise ValueError(f"notification event {spec.name!r} is already registered differently")
    EVENTS[spec.name] = spec
