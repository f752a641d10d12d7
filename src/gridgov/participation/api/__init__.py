"""The participation API (CONTRACTS "Participation"): points.py, volunteers.py."""
