"""The constants, result types and code helpers of the org-unit import and export."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gridgov.core import csvout
from gridgov.core.models import LEVEL_BY_CODE_LENGTH, OrgLevel, OrgUnit
from gridgov.core.orgcodes import LEVEL_LENGTHS, parent_code

# --- Constants ------------------------------------------------------------------------

FORMATS = ("geojson", "csv", "xlsx")
EXTENSIONS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
CONTENT_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

NAME_MAX_LENGTH = OrgUnit._meta.get_field("name").max_length
# The digits of each level of a code: province 2, city 2, county 2, township 3, village 3, grid 3.
CODE_SEGMENTS = tuple(zip((0, *LEVEL_LENGTHS[:-1]), LEVEL_LENGTHS, strict=True))

# Fields of a row, and the headers (GeoJSON property names) recognised for each without a mapping.
FIELDS = ("code", "name", "parent", "polygon", "level")
REQUIRED_FIELDS = ("code", "name")
HEADER_ALIASES = {
    "code": ("code", "编码", "代码"),
    "name": ("name", "名称"),
    "parent": ("parent", "上级编码"),
    "polygon": ("polygon", "边界"),
    "level": ("level", "层级"),
}
HEADER_SEARCH_ROWS = 10  # a sheet may carry a title above its header row

LEVEL_ALIASES = {
    **{level.value: level.value for level in OrgLevel},
    "省": OrgLevel.PROVINCE, "市": OrgLevel.CITY, "县": OrgLevel.COUNTY, "区县": OrgLevel.COUNTY,
    "县区": OrgLevel.COUNTY, "乡镇": OrgLevel.TOWNSHIP, "乡": OrgLevel.TOWNSHIP, "镇": OrgLevel.TOWNSHIP,
    "街道": OrgLevel.TOWNSHIP, "乡镇街道": OrgLevel.TOWNSHIP, "村": OrgLevel.VILLAGE, "社区": OrgLevel.VILLAGE,
    "村社区": OrgLevel.VILLAGE, "村/社区": OrgLevel.VILLAGE, "网格": OrgLevel.GRID,
}

# Two neighbouring cells "overlap" when they share more than this fraction of the smaller
# cell's area; slivers from digitising a shared edge stay below it.
OVERLAP_TOLERANCE = 0.01
PREVIEW_ROWS = 10

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


# --- Results --------------------------------------------------------------------------


def _where(row: int | None, kind: str) -> str:
    if row is None:
        return _("File")
    if kind == "feature":
        return _("Feature %(number)d") % {"number": row}
    return _("Row %(number)d") % {"number": row}


@dataclass(frozen=True)
class Issue:
    """An error or warning; `row` as the user numbers them, None for the whole file."""

    row: int | None
    message: str
    code: str = ""
    kind: str = "row"  # "row" (CSV, Excel) or "feature" (GeoJSON)

    @property
    def where(self) -> str:
        return _where(self.row, self.kind)


@dataclass(frozen=True)
class SourceRow:
    """One row of a file as read, before any checking."""

    row: int
    code: str
    name: str
    parent: str = ""
    level: str = ""
    polygon: object = None  # a GeoJSON geometry (dict), its JSON text, or None


@dataclass
class ParsedFile:
    fmt: str
    rows: list[SourceRow]
    errors: list[Issue] = field(default_factory=list)
    name: str = ""
    sha256: str = ""

    @property
    def kind(self) -> str:
        return "feature" if self.fmt == "geojson" else "row"


@dataclass(frozen=True)
class ExistingUnit:
    pk: int
    code: str
    name: str
    polygon: dict | None


@dataclass
class Snapshot:
    """What the database holds that a file touches."""

    units: dict[str, ExistingUnit] = field(default_factory=dict)  # the file's codes and their parents
    cells_by_parent: dict[str, list[ExistingUnit]] = field(default_factory=dict)  # cells with a boundary


@dataclass
class PlannedUnit:
    row: int
    kind: str
    code: str
    name: str
    level: str
    parent_code: str | None
    action: str = CREATE
    polygon: dict | None = None  # the boundary the file gives, normalised
    geometry: dict = field(default_factory=dict)  # bbox and centroid of that boundary
    changed: tuple[str, ...] = ()
    old_name: str = ""
    pk: int | None = None

    @property
    def where(self) -> str:
        return _where(self.row, self.kind)

    @property
    def official_code(self) -> str:
        return official_code(self.code)

    @property
    def level_label(self) -> str:
        return OrgLevel(self.level).label


@dataclass
class ImportPlan:
    source: ParsedFile
    scope: str | None  # None: the system, unrestricted
    creates: list[PlannedUnit] = field(default_factory=list)
    updates: list[PlannedUnit] = field(default_factory=list)
    unchanged: list[PlannedUnit] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    committed: bool = False

    @classmethod
    def unchecked(cls, source: ParsedFile) -> "ImportPlan":
        """A plan of rows not yet checked; `org_units_import` checks them in its transaction."""
        return cls(source=source, scope=None)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.source.rows),
            CREATE: len(self.creates),
            UPDATE: len(self.updates),
            UNCHANGED: len(self.unchanged),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    @property
    def root_code(self) -> str:
        """The deepest org unit above or at every code of the file ('' when none)."""
        return common_root(p.code for p in self.creates + self.updates + self.unchanged)

    def preview(self, limit: int = PREVIEW_ROWS) -> dict[str, list[PlannedUnit]]:
        return {CREATE: self.creates[:limit], UPDATE: self.updates[:limit], UNCHANGED: self.unchanged[:limit]}


# --- Codes ----------------------------------------------------------------------------


def cell_text(value) -> str:
    """The text of a spreadsheet cell or JSON value; codes stored as numbers become digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return csvout.unquote(str(value).replace("\ufeff", "")).strip()  # an exported `'=…` reads back as `=…`


def unpad_official_code(code: str) -> str:
    """The stored form of a 12-digit official code: '320583102000' → '320583102',
    '320500000000' → '3205', '320000000000' → '32'; a village code ('320583102001') stays."""
    for length in (2, 4, 6, 9):
        if code[length:] == "0" * (12 - length):
            return code[:length]
    return code


def normalize_code(value) -> str:
    text = cell_text(value).replace(" ", "")
    if len(text) == 12 and text.isdigit():
        return unpad_official_code(text)
    return text


def official_code(code: str) -> str:
    """The 12-digit padded form for divisions; a grid cell's own 15-digit code."""
    return code if len(code) > 12 else code.ljust(12, "0")


def code_shape_error(code: str) -> str | None:
    if not code:
        return _("A code is required.")
    if not code.isdigit() or len(code) not in LEVEL_BY_CODE_LENGTH:
        return _("%(code)s is not an org-unit code: a code has 2, 4, 6, 9, 12 or 15 digits.") % {"code": code}
    for start, end in CODE_SEGMENTS:
        if end <= len(code) and set(code[start:end]) == {"0"}:
            return _(
                "%(code)s has a part made only of zeros: write the code without its padding zeros "
                "(or in the 12-digit official form)."
            ) % {"code": code}
    return None


def parent_code_of(code: str) -> str | None:
    return parent_code(code)


def common_root(codes: Iterable[str]) -> str:
    """The longest code that is a prefix of every code given, cut to a level boundary."""
    codes = list(codes)
    if not codes:
        return ""
    prefix = os.path.commonprefix(codes)
    for length in sorted(LEVEL_BY_CODE_LENGTH, reverse=True):
        if length <= len(prefix):
            return prefix[:length]
    return ""


def parse_level(value: str) -> str | None:
    key = (value or "").strip()
    return LEVEL_ALIASES.get(key.lower()) or LEVEL_ALIASES.get(key)


def format_from_filename(filename: str) -> str | None:
    return EXTENSIONS.get(os.path.splitext(filename or "")[1].lower())
