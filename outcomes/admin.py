"""Outcome forms are not in the admin on purpose: they are case content, which admins do not
see without a service role, and every write goes through outcomes.services (validated, audited).
"""
