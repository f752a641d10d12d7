"""REST API of the event loop (`/api/v1/`), the sensor intake and Open311 GeoReport v2."""
