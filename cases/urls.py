from django.urls import path

from . import views, views_documents, views_duplicates, views_transfers, views_work

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("search/", views.case_search, name="case_search"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/contacts/", views.contact_list, name="contact_list"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/timeline/", views.case_timeline, name="case_timeline"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path(
        "<int:pk>/closure/<int:request_pk>/decide/",
        views.closure_decide,
        name="closure_decide",
    ),
    path("<int:pk>/allocate/", views.case_allocate, name="case_allocate"),
    path("<int:pk>/status/", views.case_status, name="case_status"),
    path("<int:pk>/restrict/", views.case_restrict, name="case_restrict"),
    path("<int:pk>/perpetrators/new/", views.perpetrator_form, name="perpetrator_add"),
    path(
        "<int:pk>/perpetrators/<int:perpetrator_pk>/",
        views.perpetrator_form,
        name="perpetrator_edit",
    ),
    path("<int:pk>/children/new/", views.child_form, name="child_add"),
    path("<int:pk>/children/<int:child_pk>/", views.child_form, name="child_edit"),
    path("<int:pk>/sharing/new/", views.information_share_add, name="information_share_add"),
    path("<int:pk>/documents/", views_documents.document_list, name="document_list"),
    path("<int:pk>/documents/new/", views_documents.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/download/",
        views_documents.document_download,
        name="document_download",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/delete/",
        views_documents.document_delete,
        name="document_delete",
    ),
    path("<int:pk>/transfer/", views_transfers.case_transfer_request, name="case_transfer"),
    path(
        "<int:pk>/transferred-from/",
        views_transfers.case_transfer_history,
        name="case_transfer_history",
    ),
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path(
        "transfers/<int:transfer_pk>/",
        views_transfers.transfer_decide,
        name="transfer_decide",
    ),
    path(
        "transfers/<int:transfer_pk>/withdraw/",
        views_transfers.transfer_withdraw,
        name="transfer_withdraw",
    ),
    path("<int:pk>/tasks/", views_work.task_list, name="task_list"),
    path("<int:pk>/tasks/new/", views_work.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:task_pk>/edit/", views_work.task_edit, name="task_edit"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views_work.task_done, name="task_done"),
    path("<int:pk>/tasks/<int:task_pk>/snooze/", views_work.task_snooze, name="task_snooze"),
    path("<int:pk>/tasks/<int:task_pk>/reassign/", views_work.task_reassign, name="task_reassign"),
    path("<int:pk>/reminders/<str:key>/", views_work.reminder_act, name="reminder_act"),
    path("<int:pk>/supervision/", views_work.supervision_notes, name="supervision_notes"),
    path(
        "<int:pk>/supervision/new/",
        views_work.supervision_note_add,
        name="supervision_note_add",
    ),
    path("tasks/", views_work.my_tasks, name="my_tasks"),
    path("caseloads/", views_work.caseloads, name="caseloads"),
    path(
        "caseloads/<int:caseworker_pk>/reallocate/",
        views_work.caseload_reallocate,
        name="caseload_reallocate",
    ),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/safe-contact/", views.client_safe_contact, name="client_safe_contact"),
    path("clients/<int:pk>/aliases/new/", views.alias_add, name="alias_add"),
    path(
        "clients/<int:pk>/duplicates/",
        views_duplicates.client_duplicates,
        name="client_duplicates",
    ),
    path(
        "clients/<int:pk>/duplicates/<int:other_pk>/not-the-same/",
        views_duplicates.client_not_duplicate,
        name="client_not_duplicate",
    ),
    path(
        "clients/<int:pk>/merge/<int:other_pk>/",
        views_duplicates.client_merge,
        name="client_merge",
    ),
    path("clients/<int:pk>/consent/new/", views.consent_add, name="consent_add"),
    path(
        "clients/<int:pk>/consent/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
