"""`gridgov sensor_key create --name N --org CODE --lat LAT --lng LNG --category CODE | list |
revoke PREFIX`: keys of sensor devices, which say where the device stands and what it reports.

`create` prints the key as its last line. It is shown this once: only its hash is kept."""

from django.core.management.base import CommandError

from gridgov.events.management.commands.open311_key import IntakeKeyCommand
from gridgov.events.models import Category, IntakeKey


class Command(IntakeKeyCommand):
    help = "Keys of sensor devices: create (prints the key last), list, revoke PREFIX."
    kind = IntakeKey.Kind.SENSOR

    def add_create_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The device, e.g. “3号楼电动车棚烟感”.")
        parser.add_argument("--org", required=True, help="The org unit (grid cell) where the device stands.")
        parser.add_argument("--lat", type=float, required=True, help="WGS-84 latitude of the device.")
        parser.add_argument("--lng", type=float, required=True, help="WGS-84 longitude of the device.")
        parser.add_argument("--category", required=True, help="The category it reports, e.g. fire.smoke_alarm.")

    def create_options(self, options) -> dict:
        category = Category.objects.filter(code=options["category"], is_active=True).first()
        if category is None:
            raise CommandError(f"category: no active category {options['category']}")
        return {"org_code": options["org"], "lat": options["lat"], "lng": options["lng"],
                "default_category": category}

    def describe(self, key) -> str:
        category = key.default_category.code if key.default_category_id else ""
        return f"  ({key.org_code} {key.lat},{key.lng} {category})"
