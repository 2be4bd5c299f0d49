"""Pure-Python data catalogues used by Lantern's forms and reports."""
