"""Duplicate client records: the client page's check, "not the same person", and the merge.

Thin, like cases.views: scope through selectors, validate with forms, write with
cases.services_duplicates.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access, lookup

from . import selectors, services_duplicates
from .models import Case


class NotDuplicateForm(forms.Form):
    note = forms.CharField(
        label="How you know (optional)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. checked with the referrer"}),
    )


class MergeForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked these are the same person. Merge the records.", required=True
    )


@login_required
def client_duplicates(request, pk):
    """Possible duplicates of a client's record, found later: each with what matched, to
    answer "not the same person" or (team leaders) to merge."""
    client = selectors.client_get_for_user(request.user, pk, read=True)
    matches = selectors.client_duplicates_of(request.user, client)
    return render(
        request,
        "cases/client_duplicates.html",
        {
            "client": client,
            "matches": matches,
            "can_edit": selectors.can_edit_client(request.user, client),
            "can_merge": access.can(
                request.user, access.Capability.MERGE_CLIENTS, client.service_id
            ),
            "form": NotDuplicateForm(),
        },
    )


@login_required
@require_POST
def client_not_duplicate(request, pk, other_pk):
    client = selectors.client_get_for_user(request.user, pk)
    if not selectors.can_edit_client(request.user, client):
        lookup.refuse(
            request.user,
            access.Capability.EDIT_CASES,
            service_id=client.service_id,
            obj=client,
        )
    other = selectors.client_get_for_user(request.user, other_pk)
    form = NotDuplicateForm(request.POST)
    if form.is_valid():
        try:
            services_duplicates.client_match_dismiss(
                client=client, other=other, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Recorded: not the same person. They will not be offered again."
            )
    else:
        messages.error(request, "The note is too long.")
    return redirect("cases:client_duplicates", pk=client.pk)


@login_required
@require_http_methods(["GET", "POST"])
def client_merge(request, pk, other_pk):
    """Merges the record `other_pk` into the record `pk` (kept), after a confirmation page that
    shows both and what will move. For team leaders (Capability.MERGE_CLIENTS)."""
    keep = selectors.client_get_for_user(request.user, pk)
    if not access.can(request.user, access.Capability.MERGE_CLIENTS, keep.service_id):
        lookup.refuse(
            request.user, access.Capability.MERGE_CLIENTS, service_id=keep.service_id, obj=keep
        )
    merge_away = selectors.client_get_for_user(request.user, other_pk)
    lookup.record_read(request.user, keep, read={"form": "merge"}, service_id=keep.service_id)
    lookup.record_read(
        request.user, merge_away, read={"form": "merge"}, service_id=merge_away.service_id
    )
    refusal = services_duplicates.merge_refusal(
        keep=keep, merge_away=merge_away, actor=request.user
    )
    form = MergeForm(request.POST or None)
    status = 200 if not refusal else 400
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services_duplicates.client_merge(keep=keep, merge_away=merge_away, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            messages.success(request, "Records merged: this is now the client's only record.")
            return redirect("cases:client_detail", pk=keep.pk)
    elif request.method == "POST":
        status = 400
    visible = selectors.cases_visible_to(request.user)
    return render(
        request,
        "cases/client_merge.html",
        {
            "client": keep,
            "keep": keep,
            "merge_away": merge_away,
            "keep_cases": visible.filter(client=keep).select_related("service"),
            "away_cases": Case.objects.filter(client=merge_away)
            .filter(pk__in=visible)
            .select_related("service"),
            "away_aliases": merge_away.aliases.all(),
            "away_consents": merge_away.consents.count(),
            "refusal": refusal,
            "form": form,
        },
        status=status,
    )
