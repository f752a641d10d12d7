"""The public consultation pages: the public's (`/consult/`) and the department's (`/consultations/`)."""

from gridgov.participation.views import consultations

public_urlpatterns = consultations.public_urlpatterns
desk_urlpatterns = consultations.desk_urlpatterns
