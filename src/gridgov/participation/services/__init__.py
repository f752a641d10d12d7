"""Writes of participation, by subject: the points bank (points.py)."""
