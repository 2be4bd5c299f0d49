"""The SafeLives Insights tables, computed in the database from Lantern's records."""
