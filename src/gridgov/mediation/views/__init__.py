"""The pages of mediation: cases (cases.py), statistics (statistics.py), the area's centres,
duty roster, legal advisers and dispute screening (directory.py), and a resident's online
request and its tracking (public.py)."""
