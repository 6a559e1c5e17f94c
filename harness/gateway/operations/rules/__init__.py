"""Per-service tables: one module per service family, each exporting a ServiceSpec."""
