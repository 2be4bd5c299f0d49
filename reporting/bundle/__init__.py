"""The case bundle: Lantern's versioned JSON Lines format for taking case data out of one system
and into another (reporting/bundle/README.md describes it field by field).

A Django app of its own (label ``bundle``) so that its one table, the record of what was
imported, has migrations apart from the reporting app's.
"""
