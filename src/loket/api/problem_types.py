"""The problem types the API answers with: each `type` URI (/api/problems/<code>) is a page here.

Written as reference documentation for integrators; the page shows each in the
reader's language (marked for translation with gettext_noop, translated when shown),
like the `title` and `detail` of each response.
A test checks that every code raised in the source has an entry.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_  # noqa: N812  (xgettext's keyword)

PROBLEM_TYPES: dict[str, str] = {
    # Input
    "validation_error": N_("A field is missing or invalid. `field` and `invalid_params` name it."),
    "malformed_request": N_("The request cannot be read as sent."),
    "malformed_json": N_("The body is not valid JSON. Fix the body and send it again."),
    "unsupported_media_type": N_(
        "The body's Content-Type is not one the endpoint takes "
        "(JSON for JSON endpoints, multipart/form-data for submissions)."
    ),
    "unsafe_characters": N_("A field holds a NUL byte or an unpaired surrogate, never accepted."),
    "unsafe_input": N_("The request holds text the platform never accepts."),
    "too_deeply_nested": N_("The JSON is nested deeper than the configured limit."),
    "http_error": N_("The request could not be handled as sent; `detail` says why."),
    "idempotency_key_reused": N_(
        "This Idempotency-Key was used by the same client for a different "
        "request. Use a new key for a new request."
    ),
    "invalid_cursor": N_(
        "The `cursor` was not made by this list: take it from the previous "
        "page's `Link` header, unchanged."
    ),
    "cursor_query_mismatch": N_(
        "The `cursor` was made for the same list with other filters: keep "
        "the filters (status, service, due_before) while following `Link` headers."
    ),
    "required": N_("A required field is empty."),
    "empty": N_("A field that must hold a value is empty."),
    "too_long": N_("A field is longer than allowed."),
    "invalid": N_("A field's value is not valid."),
    "not_digits": N_("A field that takes digits only holds something else."),
    "not_plain": N_("A text field holds markup or control characters."),
    "html": N_("A text field holds HTML, which is not accepted."),
    "location": N_("The location (coordinates or address) is missing or outside the area served."),
    "weekdays": N_("A list of weekdays is not valid."),
    "nik_format": N_("The NIK must be 16 digits."),
    "nik_region": N_("The NIK's first six digits are not a known region code."),
    "nik_birth_date": N_("The NIK's birth-date digits are not a real date."),
    "nik_serial": N_("The NIK's last four digits (serial) cannot be 0000."),
    "cross_check_nik_birth_date": N_(
        "The birth date given does not match the one the NIK encodes."
    ),
    "invalid_nib": N_("The NIB (Nomor Induk Berusaha) must be the 13 digits OSS issued."),
    "invalid_kbli": N_("A KBLI field takes a five-digit KBLI 2020 code, e.g. 56102."),
    "unknown_kbli": N_("The five digits given are not a code of KBLI 2020 (kelompok)."),
    "reason_required": N_("Rejecting or returning needs a reason in the field `reason`."),
    "rule_error": N_("A rule of the service could not be evaluated for this input."),
    "definition_error": N_("A service definition has an error at the path and line given."),
    "definition_errors": N_("A service definition has several errors; `errors` lists them."),
    "definition_fault": N_("The published service definition cannot run this step."),
    "incomplete": N_("The application lacks something the service requires."),
    # Who is asking
    "unauthenticated": N_("No valid credentials: send a bearer token (officers) or an API key."),
    "not_signed_in": N_("The credentials are missing or no longer valid."),
    "bad_credentials": N_(
        "The username or password is wrong, or the account is locked for a while."
    ),
    "bad_api_key": N_("The API key is unknown, expired or revoked."),
    "otp_required": N_("Give the current code of the officer's authenticator app in `otp`."),
    "otp_device_required": N_(
        "The officer has no confirmed authenticator yet; they set one up at "
        "their first workspace sign-in."
    ),
    "not_an_officer": N_("API tokens are for active officers only."),
    "not_officer": N_("Only an active officer may do this."),
    "officer_account": N_("The account belongs to an officer and cannot be used here."),
    "officer_inactive": N_("The officer is no longer active."),
    "csrf_failed": N_(
        "A call made with the portal's sign-in cookie needs the CSRF token in the "
        "X-CSRFToken header."
    ),
    "scope_missing": N_("The machine account's key does not carry the scope this call needs."),
    "locked_out": N_("Too many failed sign-ins: the account or address is locked for a while."),
    "rate_limited": N_("Too many attempts in a short time; try again after the time given."),
    "link_expired": N_("The link has expired; ask for a new one."),
    "link_invalid": N_("The link is not valid."),
    "expired_link": N_("The link has expired; ask for a new one."),
    "invalid_link": N_("The link is not valid."),
    "not_verified": N_("The contact (e-mail or phone) is not verified yet."),
    # Authority
    "authority_error": N_("The caller does not hold the authority this act needs."),
    "case_outside_reach": N_(
        "Only holders of the case's positions and the heads of their units may read it."
    ),
    "document_outside_reach": N_(
        "The signed document carries personal data: only officers working the case may download it."
    ),
    "not_position_holder": N_(
        "The officer does not hold the task's position now, definitively or as acting holder."
    ),
    "definitive_holder_required": N_(
        "This step may be decided only by the definitive holder of the "
        "position, not an acting one (Plt/Plh)."
    ),
    "acting_too_long": N_("An acting appointment may not act beyond its legal limit."),
    "segregation_of_duties": N_("The same person may not do both of these steps of one case."),
    "not_unit_head": N_("Only the head of the responsible unit may do this."),
    # Not found and conflicts
    "not_found": N_("Nothing matches what was asked for (or the caller may not know it exists)."),
    "conflict_error": N_("The object is no longer in the state this act needs."),
    "task_claimed": N_(
        "Another officer has claimed the task: `detail` names their position and when."
    ),
    "task_closed": N_("The task is already closed."),
    "task_already_decided": N_("The task was already decided."),
    "case_closed": N_("The case is closed."),
    "closed": N_("The object is closed."),
    "already_answered": N_("This was already answered."),
    "not_awaiting_applicant": N_("The case is not waiting for the applicant."),
    "not_awaiting_payment": N_("The case is not waiting for a payment."),
    "wrong_status": N_("The object is not in a status that allows this."),
    "signing_unavailable": N_(
        "The agency's signer (key file, HSM or remote signing service) "
        "could not sign now; the approval stands and the document is issued when it can."
    ),
    "expired": N_("The object has expired."),
    # Payments
    "bad_signature": N_("The callback's signature does not verify with the provider's key."),
    "signature_error": N_("A signature does not verify."),
    "unknown_bill": N_("No bill has this billing code."),
    "bill_not_payable": N_("The bill cannot be paid (paid, expired or cancelled)."),
    "wrong_amount": N_("The amount paid differs from the bill's amount."),
    "duplicate_transaction": N_("This transaction was already recorded."),
    # Organisation and surveys
    "appointment_agency": N_("The officer and the position belong to different agencies."),
    "appointment_capacity": N_("The appointment's capacity (definitive, Plt, Plh) is not valid."),
    "appointment_dates": N_("The appointment ends before it starts."),
    "appointment_duplicate": N_("The officer already holds this position for that period."),
    "survey_period_duplicate": N_("The unit already has a survey period with this code."),
    "appointment_inactive_officer": N_("An inactive officer cannot be appointed."),
    "appointment_plh_without_holder": N_(
        "A Plh stands in for a definitive holder, who is missing."
    ),
    "position_agency": N_("The position belongs to another agency."),
    "unit_agency": N_("The unit belongs to another agency."),
    "unit_cycle": N_("A unit cannot be placed under itself."),
    "survey_error": N_("The survey answer is not valid."),
    "ledger_integrity_error": N_("The ledger failed an integrity check; the operator is alerted."),
    "loket_error": N_("The request could not be handled; `detail` says why."),
    "not_a_number": N_("A number field holds something that is not a number (e.g. `abc`, `1e5`)."),
    "ambiguous_separator": N_(
        "A number reads two ways, e.g. `25.00` in Indonesian (a decimal point, or a "
        "badly grouped 2.500?). Write decimals with the language's mark (`2,5` in "
        "Indonesian) and group thousands in threes, or send a JSON number."
    ),
    "mixed_separators": N_(
        "A number mixes the two separators the wrong way round for its language, e.g. "
        "`25,000.50` in Indonesian. Send `25.000,50` or a JSON number."
    ),
    "bad_grouping": N_("A number's thousands are not grouped in threes, e.g. `2.50.000`."),
    "ambiguous_scale": N_(
        "A scale letter (`M`, `T`, `K`) reads differently in Indonesian and English; "
        "write `juta` or `miliar`, or the amount in full."
    ),
    "too_large": N_("A number is beyond what any field takes (10^15)."),
    "nothing_changed": N_(
        "The resubmission changes none of what the return asked for (the documents "
        "marked not conforming and the fields named, see `open_request`), or nothing at"
        " all when the return named nothing. A file identical to the one held is no "
        "change. Nothing was stored: change what was asked and send again."
    ),
    "checklist_not_conforming": N_(
        "A document is marked tidak_sesuai in the checklist, so the task cannot be "
        "approved: return or reject it."
    ),
    "note_required": N_("A document marked tidak_sesuai needs a note saying what is wrong."),
    "signer_unavailable": N_(
        "The chosen signer could not open for the agency (module, label, URL, PIN or "
        "certificate); the admin form names the reason and keeps the previous signer."
    ),
}
