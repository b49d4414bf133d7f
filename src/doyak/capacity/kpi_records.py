"""The records the KPI board counts from this app (filled in with the registries)."""
