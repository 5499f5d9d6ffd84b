"""Writes: plain functions named ``<entity>_<action>`` with keyword-only arguments.

``deals`` (publish, reject, retract, edit, review clauses, link a phase), ``merges`` (deals
and companies), ``curation`` (what they share), ``alerts`` (subscriptions, alert events and
their delivery), ``dataset`` (the shipped dataset).
"""
