"""Queries compiled once per process (accounts.statements.CompiledQuery): each run gives what
the queryset itself gives for its values, without compiling again."""

import pytest
from django.db.models import Count, Exists, OuterRef

from accounts.statements import CompiledQuery
from cases import selectors
from cases.models import Case, ChildInCase
from tests.factories import CaseFactory, ChildInCaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _children_of(case: int):
    return Case.objects.filter(pk=case).annotate(
        has_children=Exists(ChildInCase.objects.filter(case_id=OuterRef("pk"))),
        contact_count=Count("contacts"),
    )


def test_each_run_gives_what_the_queryset_gives_for_its_value_compiled_once():
    with_children, without = CaseFactory(), CaseFactory()
    ChildInCaseFactory(case=with_children)
    ContactFactory(case=with_children)
    ContactFactory(case=with_children)
    query = CompiledQuery(
        lambda case: _children_of(case).values_list("pk", "has_children", "contact_count"), "case"
    )
    for case in (with_children, without, with_children):
        expected = list(_children_of(case.pk).values_list("pk", "has_children", "contact_count"))
        assert query.rows(case=case.pk) == expected
    assert query.rows(case=with_children.pk) == [(with_children.pk, True, 2)]
    compiled = query._compiled
    query.rows(case=without.pk)
    assert query._compiled is compiled  # not compiled again


def test_a_value_the_query_does_not_use_is_refused():
    query = CompiledQuery(lambda case: Case.objects.values_list("pk"), "case")
    with pytest.raises(ValueError, match="not among the query's parameters"):
        query.rows(case=1)


def test_the_case_page_values_equal_the_annotated_case():
    case = CaseFactory()
    ChildInCaseFactory(case=case)
    (row,) = selectors._CASE_PAGE_VALUES.rows(case=case.pk)
    values = selectors._case_page_values()
    expected = Case.objects.filter(pk=case.pk).annotate(**values).values(*values).get()
    assert dict(zip(selectors._case_page_value_names(), row, strict=True)) == expected
    assert expected["children_exist"] is True
