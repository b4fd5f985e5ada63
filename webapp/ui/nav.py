"""The pages' script paths (relative to app.py), for navigation, page links and switches."""

SELF_CHECK = "webapp/views/self_check.py"
COUNSELLOR = "webapp/views/counsellor.py"
REGISTRY = "webapp/views/registry.py"
COVERAGE = "webapp/views/coverage.py"
LIBRARY = "webapp/views/library.py"
ACCOUNTS = "webapp/views/accounts.py"
