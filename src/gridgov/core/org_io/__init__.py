"""Import and export of the org-unit tree and grid-cell polygons.

Reading a file (GeoJSON, CSV or Excel) gives `SourceRow`s numbered as the user sees them
(the header is row 1 of a CSV or Excel sheet; GeoJSON features count from 1). `check_rows`
turns those rows and a `Snapshot` of the database into an `ImportPlan`: what would be
created, updated or left unchanged, every error with its row number, and warnings.

Everything here is a pure function over rows, except the two reads at the end:
`load_snapshot` (the existing units a file touches) and `export_org_units`. The write is
`gridgov.core.org_io_services.org_units_import`.

Codes are stored unpadded (`320583102` for a township). The official 12-digit padded form
(`320583102000`) is accepted for province, city, county and township codes and converted by
stripping the trailing zero groups level by level; a 12-digit code whose last three digits
are not `000` is a village code and stays as it is.

The package's modules: `common` (constants, results, codes), `reading` (files into rows),
`planning` (rows into a plan, and the snapshot read) and `export`; every name is importable
from `gridgov.core.org_io` as before.
"""

from __future__ import annotations

# Every public name of the four modules, as `gridgov.core.org_io` had them before the split.
from gridgov.core.org_io.common import *  # noqa: F403
from gridgov.core.org_io.export import *  # noqa: F403
from gridgov.core.org_io.planning import *  # noqa: F403
from gridgov.core.org_io.reading import *  # noqa: F403
