"""The API's reads: queries (a fixed number each, whatever the data size) and the dicts they answer.

Written against the models and the ledger selectors, not against page templates' shapes, so a
page can change its layout without moving a field of the API.
"""
