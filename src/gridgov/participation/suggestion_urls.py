"""The suggestion and project pages: the public's (`/suggest/`, `/projects/`) and the staff's
desk (`/suggestions/`)."""

from gridgov.participation.views import suggestions_desk, suggestions_public

suggest_urlpatterns = suggestions_public.suggest_urlpatterns
project_urlpatterns = suggestions_public.project_urlpatterns
desk_urlpatterns = suggestions_desk.urlpatterns
