"""REST API of the care programs (CONTRACTS.md "Care"): one class per operation, calling
the services and selectors of the care app."""
