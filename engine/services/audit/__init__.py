"""The auditors' floor: hash chain, audit access, views, PDF, replay and retention.

`chain` verifies and anchors history, `access` holds the audit scopes and masking, `views` and
`pdf` render what an auditor reads, `replay` re-runs an instance from its history, `retention`
deletes what the law says may go. Imports the step floor (history) and use cases, no routine.
"""
