"""The roles users can hold; lanes in BPMN name them by id."""

ROLES = frozenset(
    {
        "participant",
        "leader",
        "service_leader",
        "union_rep",
        "admin_group",
        "finance",
        "hr",
        "process_owner",
        "auditor",
        "admin",
    }
)
