"""The answers of an outcome form (or a police report, an incident): reading them, counting them,
setting them from a form's values, and clearing those that no longer apply on submit."""

import datetime

from django.utils.formats import date_format

from . import questions as q


def question_label(model, question: q.Question) -> str:
    return str(model._meta.get_field(question.field).verbose_name)


def answers_of(obj, questions) -> dict:
    """The form's answers by field: a string, a set of option labels, a number or a date."""
    answers = {}
    for question in questions:
        if question.kind == q.MULTI:
            answers[question.field] = {o.label for o in getattr(obj, question.field).all()}
            if question.dont_know_field:
                answers[question.dont_know_field] = getattr(obj, question.dont_know_field)
        else:
            answers[question.field] = getattr(obj, question.field)
    return answers


def progress(obj, questions) -> tuple[int, int]:
    """(answered, asked) among the questions that apply."""
    answers = answers_of(obj, questions)
    asked = [question for question in questions if q.applies(question, answers)]
    return sum(q.is_answered(question, answers) for question in asked), len(asked)


def assign_answers(form, questions, values: dict) -> dict:
    """Sets the scalar fields; returns the many-to-many values to set after saving."""
    many = {}
    for question in questions:
        if question.field not in values:
            continue
        if question.kind == q.MULTI:
            many[question.field] = list(values[question.field] or [])
            if question.dont_know_field:
                setattr(form, question.dont_know_field, bool(values.get(question.dont_know_field)))
        else:
            value = values[question.field]
            if value is None and question.kind in (q.SINGLE, q.CHOICE):
                value = ""
            setattr(form, question.field, value)
    return many


def clear_answers_that_do_not_apply(form, questions) -> None:
    """On submit, a follow-on answer whose question no longer applies (e.g. details of physical
    abuse after the level was changed to None) is removed, so that reports never count it."""
    answers = answers_of(form, questions)
    # Questions come after the answer they follow on from, so one pass in order also clears
    # answers switched off by an answer cleared earlier in the pass.
    for question in questions:
        if q.applies(question, answers):
            continue
        if question.kind == q.MULTI:
            if answers[question.field]:
                getattr(form, question.field).clear()
            answers[question.field] = set()
            if question.dont_know_field:
                setattr(form, question.dont_know_field, False)
                answers[question.dont_know_field] = False
        else:
            empty = None if question.kind in (q.COUNT, q.DATE) else ""
            setattr(form, question.field, empty)
            answers[question.field] = empty
    form.save()


def answer_shown(obj, question: q.Question, answers: dict) -> str:
    """An answer as a person reads it: the choice's label (never its stored value, e.g.
    "Change in risk or circumstances", not "risk_change"), a date as "3 Dec 2026", the option
    labels of a multi-select in the order of their list, "Don't know" where ticked; "" when
    unanswered."""
    value = answers.get(question.field)
    if question.kind == q.MULTI:
        if question.dont_know_field and answers.get(question.dont_know_field):
            return "Don't know"
        chosen = getattr(obj, question.field).order_by("position", "label")
        return ", ".join(option.label for option in chosen) if value else ""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.date):
        return date_format(value)
    model_field = obj._meta.get_field(question.field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)
