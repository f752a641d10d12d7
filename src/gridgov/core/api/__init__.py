"""The REST API of the core app (`/api/v1/`), one module per resource.

Thin classes in the HackSoft style: a nested serializer parses, a selector or service does
the work, an output serializer renders. Shapes follow /CONTRACTS.md exactly.
"""
