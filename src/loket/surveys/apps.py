from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "loket.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from loket.cases import ports
        from loket.surveys.services import invite_for_closed_case

        # The engine asks for the closing survey link through its ports (no import cycle).
        ports.provide(survey_link=invite_for_closed_case)
        from loket.notify.events import EventSpec, register_event

        # Sent on closure when a document was already issued (the approval itself
        # sends no second message then), so the survey link still reaches the applicant.
        register_event(
            EventSpec(
                "survey_invitation",
                "applicant",
                ("applicant_name", "tracking_number", "service_name", "track_url", "survey_url"),
            )
        )
