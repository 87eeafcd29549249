"""The problem types the API answers with: each `type` URI (/api/problems/<code>) is a page here.

Written as reference documentation for integrators (English, like docs/api.md);
the `title` and `detail` of each response are in the request's language.
A test checks that every code raised in the source has an entry.
"""

from __future__ import annotations

PROBLEM_TYPES: dict[str, str] = {
    # Input
    "validation_error": "A field is missing or invalid. `field` and `invalid_params` name it.",
    "malformed_request": "The request cannot be read as sent.",
    "malformed_json": "The body is not valid JSON. Fix the body and send it again.",
    "unsupported_media_type": "The body's Content-Type is not one the endpoint takes "
    "(JSON for JSON endpoints, multipart/form-data for submissions).",
    "unsafe_characters": "A field holds a NUL byte or an unpaired surrogate, never accepted.",
    "unsafe_input": "The request holds text the platform never accepts.",
    "too_deeply_nested": "The JSON is nested deeper than the configured limit.",
    "http_error": "The request could not be handled as sent; `detail` says why.",
    "idempotency_key_reused": "This Idempotency-Key was used by the same client for a different "
    "request. Use a new key for a new request.",
    "required": "A required field is empty.",
    "empty": "A field that must hold a value is empty.",
    "too_long": "A field is longer than allowed.",
    "invalid": "A field's value is not valid.",
    "not_digits": "A field that takes digits only holds something else.",
    "not_plain": "A text field holds markup or control characters.",
    "html": "A text field holds HTML, which is not accepted.",
    "location": "The location (coordinates or address) is missing or outside the area served.",
    "weekdays": "A list of weekdays is not valid.",
    "nik_format": "The NIK must be 16 digits.",
    "nik_region": "The NIK's first six digits are not a known region code.",
    "nik_birth_date": "The NIK's birth-date digits are not a real date.",
    "nik_serial": "The NIK's last four digits (serial) cannot be 0000.",
    "cross_check_nik_birth_date": "The birth date given does not match the one the NIK encodes.",
    "reason_required": "Rejecting or returning needs a reason in the field `reason`.",
    "rule_error": "A rule of the service could not be evaluated for this input.",
    "definition_error": "A service definition has an error at the path and line given.",
    "definition_errors": "A service definition has several errors; `errors` lists them.",
    "definition_fault": "The published service definition cannot run this step.",
    "incomplete": "The application lacks something the service requires.",
    "nothing_changed": "The resubmission changes none of what the return asked for (the "
    "documents marked not conforming and the fields named, see `open_request`), or nothing at "
    "all when the return named nothing. A file identical to the one held is no change. Nothing "
    "was stored: change what was asked and send again.",
    "checklist_not_conforming": "A document is marked tidak_sesuai in the checklist, so the "
    "task cannot be approved: return or reject it.",
    "note_required": "A document marked tidak_sesuai needs a note saying what is wrong.",
    # Who is asking
    "unauthenticated": "No valid credentials: send a bearer token (officers) or an API key.",
    "not_signed_in": "The credentials are missing or no longer valid.",
    "bad_credentials": "The username or password is wrong, or the account is locked for a while.",
    "bad_api_key": "The API key is unknown, expired or revoked.",
    "otp_required": "Give the current code of the officer's authenticator app in `otp`.",
    "otp_device_required": "The officer has no confirmed authenticator yet; they set one up at "
    "their first workspace sign-in.",
    "not_an_officer": "API tokens are for active officers only.",
    "not_officer": "Only an active officer may do this.",
    "officer_account": "The account belongs to an officer and cannot be used here.",
    "officer_inactive": "The officer is no longer active.",
    "csrf_failed": "A call made with the portal's sign-in cookie needs the CSRF token in the "
    "X-CSRFToken header.",
    "scope_missing": "The machine account's key does not carry the scope this call needs.",
    "locked_out": "Too many failed sign-ins: the account or address is locked for a while.",
    "rate_limited": "Too many attempts in a short time; try again after the time given.",
    "link_expired": "The link has expired; ask for a new one.",
    "link_invalid": "The link is not valid.",
    "expired_link": "The link has expired; ask for a new one.",
    "invalid_link": "The link is not valid.",
    "not_verified": "The contact (e-mail or phone) is not verified yet.",
    # Authority
    "authority_error": "The caller does not hold the authority this act needs.",
    "case_outside_reach": "Only holders of the case's positions and the heads of their units "
    "may read it.",
    "document_outside_reach": "The signed document carries personal data: only officers working "
    "the case may download it.",
    "not_position_holder": "The officer does not hold the task's position now, definitively or "
    "as acting holder.",
    "definitive_holder_required": "This step may be decided only by the definitive holder of the "
    "position, not an acting one (Plt/Plh).",
    "acting_too_long": "An acting appointment may not act beyond its legal limit.",
    "segregation_of_duties": "The same person may not do both of these steps of one case.",
    "not_unit_head": "Only the head of the responsible unit may do this.",
    # Not found and conflicts
    "not_found": "Nothing matches what was asked for (or the caller may not know it exists).",
    "conflict_error": "The object is no longer in the state this act needs.",
    "task_claimed": "Another officer has claimed the task: `detail` names their position and when.",
    "task_closed": "The task is already closed.",
    "task_already_decided": "The task was already decided.",
    "case_closed": "The case is closed.",
    "closed": "The object is closed.",
    "already_answered": "This was already answered.",
    "not_awaiting_applicant": "The case is not waiting for the applicant.",
    "not_awaiting_payment": "The case is not waiting for a payment.",
    "wrong_status": "The object is not in a status that allows this.",
    "signing_unavailable": "The agency's signer (key file, HSM or remote signing service) "
    "could not sign now; the approval stands and the document is issued when it can.",
    "expired": "The object has expired.",
    # Payments
    "bad_signature": "The callback's signature does not verify with the provider's key.",
    "signature_error": "A signature does not verify.",
    "unknown_bill": "No bill has this billing code.",
    "bill_not_payable": "The bill cannot be paid (paid, expired or cancelled).",
    "wrong_amount": "The amount paid differs from the bill's amount.",
    "duplicate_transaction": "This transaction was already recorded.",
    # Organisation and surveys
    "appointment_agency": "The officer and the position belong to different agencies.",
    "appointment_capacity": "The appointment's capacity (definitive, Plt, Plh) is not valid.",
    "appointment_dates": "The appointment ends before it starts.",
    "appointment_duplicate": "The officer already holds this position for that period.",
    "survey_period_duplicate": "The unit already has a survey period with this code.",
    "appointment_inactive_officer": "An inactive officer cannot be appointed.",
    "appointment_plh_without_holder": "A Plh stands in for a definitive holder, who is missing.",
    "position_agency": "The position belongs to another agency.",
    "unit_agency": "The unit belongs to another agency.",
    "unit_cycle": "A unit cannot be placed under itself.",
    "survey_error": "The survey answer is not valid.",
    "ledger_integrity_error": "The ledger failed an integrity check; the operator is alerted.",
    "loket_error": "The request could not be handled; `detail` says why.",
}
