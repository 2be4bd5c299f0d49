"""What erasure does to each field of every record reachable from a client (dataprotection.erasure).

Every text, date, e-mail, JSON and file field of a client-linked model is classified here, once:
- BLANK: identifying; emptied ("" or null).
- MARK: identifying free text; replaced by ERASED_TEXT when it held any (a constraint may need the
  field non-empty where it was, and "there was a note" identifies nobody).
- KEEP: a coded answer, an event date or a reference the reports and the audit trail need.
A text field with choices is a coded answer and kept without being listed. tests/dataprotection
test_erasure.py fails when a model reachable from a client has a field in none of the three, so a
new field cannot leak. DELETE lists the models whose rows go altogether, even from a stub: they
identify and count in no report.
"""

ERASED_TEXT = "Erased"

# Models whose rows an erasure removes even when it keeps a stub.
DELETE = {
    "cases.clientalias",
    "cases.clientmatchdismissal",
    "bundle.importedrecord",
    # A subject access answer is a copy of the whole record (its files go with it) and its
    # redactions say whose details were withheld.
    "dataprotection.subjectaccessrequest",
    "dataprotection.subjectaccessredaction",
}

# Models no erasure writes to: reporting's own per-case figures (no text; kept up to date by
# their signal receivers, removed with the case by cascade).
UNTOUCHED = {"reporting.casefacts"}

FIELDS: dict[str, dict[str, set[str]]] = {
    "cases.client": {
        "blank": {
            "last_name",
            "preferred_name",
            "date_of_birth",
            "postcode",
            "first_language",
            "communication_needs",
            "safe_phone",
            "safe_phone_alternative",
            "safe_email",
            "safe_times",
            "safe_address",
            "code_word",
            "do_not_contact_via",
            "safe_contact_notes",
            "lawful_basis_note",
        },
        # first_name is required: the stub is called "Erased".
        "mark": {"first_name"},
        "keep": {"created_at", "updated_at", "merged_at", "erased_on"},
    },
    "cases.consentrecord": {
        "mark": {"note"},
        "keep": {"created_at", "updated_at", "recorded_on", "withdrawn_on"},
    },
    "cases.case": {
        "mark": {"closure_note", "closure_gaps_acknowledged"},
        "keep": {
            "created_at",
            "updated_at",
            "reference",
            "opened_on",
            "closed_on",
            "risk_level_label",
            "risk_assessed_at",
            "review_due_on",
            "follow_up_due_on",
        },
    },
    "cases.casestatuschange": {
        "mark": {"note"},
        "keep": {"created_at", "updated_at", "changed_at"},
    },
    "cases.caseallocation": {"keep": {"created_at", "updated_at", "allocated_at"}},
    # A task's and a supervision note's words may name the client or their circumstances.
    "cases.task": {
        "mark": {"title", "details", "snooze_reason"},
        # source_key names a reminder by case id and date ("review_due:12:2026-12-01").
        "keep": {
            "created_at",
            "updated_at",
            "due_on",
            "snoozed_until",
            "done_at",
            "source_key",
        },
    },
    "cases.supervisionnote": {
        "mark": {"text", "follow_up_actions"},
        "keep": {"created_at", "updated_at", "noted_on"},
    },
    "cases.closurerequest": {
        "mark": {"closure_note", "gaps_acknowledged", "comment"},
        "keep": {"created_at", "updated_at", "requested_at", "closed_on", "decided_at"},
    },
    # The reasons are free text about the client's circumstances; the services, dates and
    # decision are what the sending and receiving services' records and reports need.
    "cases.casetransfer": {
        "mark": {"reason", "declined_reason"},
        "keep": {"created_at", "updated_at", "requested_at", "decided_at"},
    },
    "cases.contact": {
        "blank": {"location"},
        "mark": {"notes", "unsafe_channel_warning", "unsafe_channel_reason"},
        "keep": {"created_at", "updated_at", "occurred_at"},
    },
    "cases.contactrevision": {
        "blank": {"location"},
        "mark": {"notes", "unsafe_channel_warning", "unsafe_channel_reason", "correction_reason"},
        "keep": {"created_at", "updated_at", "occurred_at", "replaced_at"},
    },
    "cases.perpetrator": {
        "blank": {"name", "date_of_birth"},
        "mark": {"bail_conditions", "notes"},
        "keep": {"created_at", "updated_at"},
    },
    "cases.childincase": {
        # age_years (a number) is blanked too: the reports count the band, which is kept.
        "blank": {"first_name", "age_years"},
        "keep": {"created_at", "updated_at"},
    },
    "cases.informationsharing": {
        "mark": {"reason_without_consent", "what_was_shared"},
        "keep": {"created_at", "updated_at", "shared_on"},
    },
    "cases.casedocument": {
        # The file leaves the storage (dataprotection.erasure removes a blanked file).
        "blank": {"file", "original_filename"},
        "mark": {"title", "deletion_reason"},
        "keep": {
            "created_at",
            "updated_at",
            "uploaded_at",
            "scanned_at",
            "scan_finding",
            "deleted_at",
        },
    },
    "referrals.referral": {
        "blank": {"referrer_name", "referrer_phone", "referrer_email"},
        "mark": {"referrer_risk_information", "reason", "triage_note"},
        "keep": {
            "created_at",
            "updated_at",
            "reference",
            "received_at",
            "triaged_at",
            "first_contact_attempt_at",
            "first_contact_at",
        },
    },
    "riskassessment.assessment": {
        "mark": {"notes", "professional_judgement_reason"},
        "keep": {
            "created_at",
            "updated_at",
            "assessed_on",
            "submitted_at",
            "band_label",
            "risk_level_label",
            "current_until",
        },
    },
    "riskassessment.answer": {
        "mark": {"detail", "comment"},
        "keep": {"created_at", "updated_at"},
    },
    "riskassessment.riskdecision": {
        "mark": {"reason"},
        "keep": {"created_at", "updated_at", "from_label", "decided_at"},
    },
    "riskassessment.maracreferral": {
        "mark": {"notes"},
        "keep": {"created_at", "updated_at", "referred_on"},
    },
    "riskassessment.marachearing": {
        "mark": {"outcome"},
        "keep": {"created_at", "updated_at", "outcome_recorded_at"},
    },
    "riskassessment.maracaction": {
        "mark": {"action", "owner"},
        "keep": {"created_at", "updated_at", "due_on", "done_on"},
    },
    "support.areasupport": {"mark": {"notes"}, "keep": {"created_at", "updated_at"}},
    "support.intervention": {
        "blank": {"detail"},
        "mark": {"notes"},
        "keep": {"created_at", "updated_at", "occurred_on"},
    },
    "support.safetyplan": {"keep": {"created_at", "updated_at"}},
    # The warnings quote the client's safe times and safe-contact instructions.
    "support.appointment": {
        "blank": {"place", "with_whom"},
        "mark": {"notes", "warnings", "cancellation_reason"},
        "keep": {"created_at", "updated_at", "starts_at", "ends_at", "cancelled_at"},
    },
    "support.safetyplanversion": {
        "mark": {
            "review_reason",
            "safe_places_people",
            "escape_route_bag",
            "code_words",
            "important_documents",
            "children",
            "travel_work",
            "phone_online_safety",
            "emergency",
            "other_notes",
        },
        "keep": {"created_at", "updated_at", "reviewed_on", "next_review_on"},
    },
    "outcomes.intakeform": {"keep": {"created_at", "updated_at", "submitted_at", "completed_on"}},
    "outcomes.reviewform": {"keep": {"created_at", "updated_at", "submitted_at", "reviewed_on"}},
    "outcomes.exitform": {"keep": {"created_at", "updated_at", "submitted_at", "exit_date"}},
    "outcomes.followup": {"keep": {"created_at", "updated_at", "submitted_at", "followed_up_on"}},
    "outcomes.criminaljusticeform": {"keep": {"created_at", "updated_at", "submitted_at"}},
    "outcomes.policereport": {"keep": {"created_at", "updated_at", "reported_on"}},
    "outcomes.incident": {"keep": {"created_at", "updated_at"}},
    "outcomes.civiljusticeform": {"keep": {"created_at", "updated_at", "submitted_at"}},
    "outcomes.civilorder": {"keep": {"created_at", "updated_at"}},
    "outcomes.courthearing": {
        "blank": {"court"},
        "mark": {"outcome", "bail_conditions"},
        "keep": {"created_at", "updated_at", "starts_at", "bail_ends_on"},
    },
    "dataprotection.rectificationrequest": {
        "mark": {"requested", "changes_made", "outcome_reason"},
        "keep": {"created_at", "updated_at", "received_on", "decided_on"},
    },
    "dataprotection.legalhold": {
        "mark": {"reason_note", "lift_reason"},
        "keep": {"created_at", "updated_at", "placed_on", "lifted_on"},
    },
}


def fields_of(label: str, kind: str) -> set[str]:
    return FIELDS.get(label, {}).get(kind, set())
