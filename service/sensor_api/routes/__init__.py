"""HTTP routes: thin handlers over auth, rules, the database and the ingest queue."""
