"""One function per job that both the pages (webapp/) and the command line run.

Each takes inputs already read and validated, and the as-of date chosen by the caller, and returns
records and bytes; reading files, printing and drawing stay with the caller.
"""
