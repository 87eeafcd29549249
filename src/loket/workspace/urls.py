from django.urls import path

from loket.workspace import audit, casework, complaints, performance, signing, surveys, views

app_name = "workspace"

urlpatterns = [
    path("", casework.queue, name="home"),
    path("tasks/<int:task_id>/", casework.task_page, name="task"),
    path("tasks/<int:task_id>/claim/", casework.claim, name="claim"),
    path("tasks/<int:task_id>/decide/", casework.decide, name="decide"),
    path("tasks/<int:task_id>/reassign/", casework.reassign, name="reassign"),
    path("tasks/<int:task_id>/pratinjau/", signing.preview, name="preview"),
    path(
        "tasks/<int:task_id>/documents/<int:document_id>/",
        casework.document,
        name="document",
    ),
    path("unit/", casework.unit_tasks, name="unit"),
    path("kinerja/", performance.unit_performance, name="performance"),
    path("kinerja/log.xes", performance.event_log_xes, name="event_log_xes"),
    path(
        "kinerja/pegawai/<int:officer_id>/bukti.<str:fmt>",
        performance.officer_evidence,
        name="officer_evidence",
    ),
    path("kinerja/ekspor/", performance.export_request, name="export_request"),
    path("kinerja/ekspor/<int:job_id>/", performance.export_job, name="export_job"),
    path(
        "kinerja/ekspor/<int:job_id>/status.json",
        performance.export_job_status,
        name="export_job_status",
    ),
    path("kinerja/ekspor/<int:job_id>/unduh", performance.export_file, name="export_file"),
    path("audit/personal-data/", audit.personal_data_reads, name="personal_data_reads"),
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.verify, name="verify"),
    path("login/setup/", views.enrol, name="enrol"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("pengaduan/", complaints.queue, name="complaint_queue"),
    path("pengaduan/<int:complaint_id>/", complaints.officer_detail, name="complaint_detail"),
    path(
        "pengaduan/<int:complaint_id>/foto/<int:photo_id>/",
        complaints.photo,
        name="complaint_photo",
    ),
    path("survei/", surveys.periods, name="survey_periods"),
    path("survei/<int:period_id>/", surveys.report, name="survey_report"),
    path("survei/<int:period_id>/terbitkan/", surveys.publish, name="survey_publish"),
    path(
        "survei/<int:period_id>/saran/<int:response_id>/",
        surveys.review,
        name="survey_review",
    ),
    path(
        "survei/<int:period_id>/ekspor.<str:format>",
        surveys.export,
        name="survey_export",
    ),
    path("survei/<int:period_id>/kios/", surveys.kiosk, name="survey_kiosk"),
]
