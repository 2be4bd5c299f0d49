"""Retention: the schedule (schedule.py), what reached its date (selectors.py), the daily list
for a manager's review and the erasure they approve (services.py), and its page (views.py).

Nothing is erased on the run's own authority: the daily run lists, a manager approves or
excludes, and only approved items are erased, each re-checked (legal hold, still due) then.
"""
