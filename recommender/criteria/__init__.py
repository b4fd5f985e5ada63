"""Qualification criteria as rules-as-code (parameters in policies/criteria/)."""
