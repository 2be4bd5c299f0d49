"""Writes for risk assessment and MARAC. Every function runs in one transaction, validates before
it writes, and leaves its audit entries (django-auditlog change history) in that transaction.
Views, the management command and the demo seeder call these; nothing here reads a request.

- checklists: importing checklist files (checked by checklist_file's JSON Schema), publishing
  and retiring versions, the shipped checklists;
- assessments: drafts, saving and submitting (scored by riskassessment.scoring);
- current_risk: the case's current risk stored under riskassessment.current_risk's rule, and
  the reasoned decision to lower it;
- marac: referrals, meetings, hearings, outcomes and actions.
"""

from .assessments import EDITABLE_FIELDS, assessment_save, assessment_start
from .checklist_file import CHECKLIST_FORMAT, checklist_errors
from .checklists import (
    SHIPPED_DIR,
    SHIPPED_FILES,
    checklist_import,
    checklist_import_file,
    checklists_sync_shipped,
    version_publish,
    version_retire,
)
from .current_risk import case_risk_refresh, risk_decision_record
from .marac import (
    marac_action_add,
    marac_action_set_done,
    marac_hearing_add,
    marac_hearing_record_facts,
    marac_hearing_record_outcome,
    marac_meeting_create,
    marac_refer,
)

__all__ = [
    "CHECKLIST_FORMAT",
    "EDITABLE_FIELDS",
    "SHIPPED_DIR",
    "SHIPPED_FILES",
    "assessment_save",
    "assessment_start",
    "case_risk_refresh",
    "checklist_errors",
    "checklist_import",
    "checklist_import_file",
    "checklists_sync_shipped",
    "marac_action_add",
    "marac_action_set_done",
    "marac_hearing_add",
    "marac_hearing_record_facts",
    "marac_hearing_record_outcome",
    "marac_meeting_create",
    "marac_refer",
    "risk_decision_record",
    "version_publish",
    "version_retire",
]
