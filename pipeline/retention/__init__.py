"""Legal holds and lawful disposal: record semantics over the store and the ledger.

This sits above both ``pipeline.storage`` (which only keeps bytes) and
``pipeline.ledger`` (which only chains and proves entries), so neither of them
needs to know what a record or a hold is.
"""
