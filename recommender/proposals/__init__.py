"""Proposals for documents no person has curated yet: metadata, kinds, benefits, audience, departments, conditions."""
