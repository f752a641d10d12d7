from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "gridgov.care"
    label = "care"
    verbose_name = _("Care programs")

    def ready(self):
        from gridgov.care.badges import care_badges
        from gridgov.care.services import person_merge_care_references
        from gridgov.core.services import register_person_merge_hook
        from gridgov.register import selectors as register_selectors

        register_person_merge_hook(person_merge_care_references)
        if care_badges not in register_selectors.PERSON_BADGE_PROVIDERS:
            register_selectors.PERSON_BADGE_PROVIDERS.append(care_badges)
