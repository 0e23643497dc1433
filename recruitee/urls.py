from django.contrib import admin
from django.urls import include, path

from recruitee.accounts import views as account_views
from recruitee.tenancy import views as tenancy_views
from scheduling import home_views

company_patterns = [
    # The member's home (their interviews and what needs them) is scheduling's: the top layer reads all the others.
    path("", home_views.company_home, name="company-home"),
    path("", include("recruitee.recruiting.urls")),
    path("", include("recruitee.tenancy.urls")),
    path("", include("recruitee.ops.urls")),
    path("", include("calendars.urls")),
    path("", include("mailbox.urls")),
    path("", include("scheduling.urls")),
]

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("oauth/calendar/", include("calendars.callback_urls")),
    path("hooks/", include("calendars.hook_urls")),
    path("book/", include("scheduling.booking_urls")),
    path("companies/new/", tenancy_views.company_create, name="company-create"),
    path("<slug:company_slug>/", include(company_patterns)),
]
