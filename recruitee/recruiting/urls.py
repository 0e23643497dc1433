from django.urls import path

from . import views

app_name = "recruiting"

urlpatterns = [
    path("candidates/", views.candidate_list, name="candidate-list"),
    path("candidates/new/", views.candidate_create, name="candidate-create"),
    path("candidates/<int:candidate_id>/", views.candidate_detail, name="candidate-detail"),
    path("candidates/<int:candidate_id>/edit/", views.candidate_edit, name="candidate-edit"),
    path("candidates/<int:candidate_id>/delete/", views.candidate_delete, name="candidate-delete"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/new/", views.job_create, name="job-create"),
    path("jobs/<int:job_id>/", views.job_detail, name="job-detail"),
    path("jobs/<int:job_id>/edit/", views.job_edit, name="job-edit"),
    path("jobs/<int:job_id>/pipeline/", views.job_pipeline, name="job-pipeline"),
    path("jobs/<int:job_id>/pipeline/<int:candidate_id>/move/", views.job_pipeline_move, name="job-pipeline-move"),
    path("jobs/<int:job_id>/delete/", views.job_delete, name="job-delete"),
]
