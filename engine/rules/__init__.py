"""Pure domain calculations: Norwegian working days, the KV 5 invoice, deadlines.

Imports only the stdlib and `holidays`; knows nothing of SpiffWorkflow, storage or HTTP.
"""
