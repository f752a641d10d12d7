"""`gridgov bench` over HTTP (issue 12): the production server (gunicorn, PostgreSQL) in a
throwaway database, loaded by wrk from outside, each line a ratio to a floor measured in the
same run. `runner.py` puts it together; docs/performance.md explains every line."""
