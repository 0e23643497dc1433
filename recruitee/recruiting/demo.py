"""The demo data that `manage.py seed_demo` writes: two companies, their teams, jobs and candidates."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django_scopes import scope

from recruitee.tenancy.models import Company, Membership, Role

from .demo_people import PEOPLE
from .models import Candidate, Job

DEMO_PASSWORD = "demo-pass-123"

COMPANIES = [
    {"slug": "acme", "name": "Acme Inc.", "time_zone": "Europe/Berlin"},
    {"slug": "globex", "name": "Globex Corporation", "time_zone": "America/Chicago"},
]

# (company slug, email, name, role, time zone). The people themselves are in demo_people.py, which `make run` also
# reads to give the calendar sandbox their accounts under the same names.
USERS = [(person.company, person.email, person.name, Role(person.role), person.time_zone) for person in PEOPLE]

JOBS = {
    "acme": [
        ("Senior Backend Engineer", "Engineering", "Berlin or remote (EU)", Job.Status.OPEN),
        ("Product Designer", "Design", "Berlin", Job.Status.OPEN),
        ("Customer Success Manager", "Customer Success", "Amsterdam", Job.Status.OPEN),
        ("Data Analyst", "Finance", "Remote", Job.Status.OPEN),
        ("Office Manager", "Operations", "Berlin", Job.Status.CLOSED),
    ],
    "globex": [
        ("Nuclear Safety Inspector", "Operations", "Springfield", Job.Status.OPEN),
        ("Marketing Lead", "Marketing", "Chicago", Job.Status.OPEN),
    ],
}

# (name, email, phone, time zone, job index, stage)
CANDIDATES = {
    "acme": [
        ("Sofia Martínez", "sofia.martinez@example.com", "+34 612 345 678", "Europe/Madrid", 0, "interview"),
        ("Jonas Becker", "jonas.becker@example.de", "+49 151 2345 6789", "Europe/Berlin", 0, "screening"),
        ("Priya Raman", "priya.raman@example.in", "+91 98765 43210", "Asia/Kolkata", 0, "applied"),
        ("Liam O'Connor", "liam.oconnor@example.ie", "+353 85 123 4567", "Europe/Dublin", 0, "offer"),
        ("Yuki Tanaka", "yuki.tanaka@example.jp", "+81 90 1234 5678", "Asia/Tokyo", 1, "interview"),
        ("Amara Okafor", "amara.okafor@example.ng", "+234 803 123 4567", "Africa/Lagos", 1, "applied"),
        ("Mateus Silva", "mateus.silva@example.com.br", "+55 11 91234 5678", "America/Sao_Paulo", 1, "screening"),
        ("Chloé Dubois", "chloe.dubois@example.fr", "+33 6 12 34 56 78", "Europe/Paris", 2, "interview"),
        ("Noah Williams", "noah.williams@example.com", "+1 415 555 0134", "America/Los_Angeles", 2, "applied"),
        ("Fatima Al-Sayed", "fatima.alsayed@example.ae", "+971 50 123 4567", "Asia/Dubai", 2, "rejected"),
        ("Jan de Vries", "jan.devries@example.nl", "+31 6 12345678", "Europe/Amsterdam", 2, "screening"),
        ("Emma Johansson", "emma.johansson@example.se", "+46 70 123 45 67", "Europe/Stockholm", 3, "interview"),
        ("Wei Zhang", "wei.zhang@example.cn", "+86 138 0013 8000", "Asia/Shanghai", 3, "applied"),
        ("Olivia Brown", "olivia.brown@example.co.uk", "+44 7700 900123", "Europe/London", 3, "hired"),
        ("Lukas Novák", "lukas.novak@example.cz", "+420 601 123 456", "Europe/Prague", 0, "applied"),
        ("Aisha Khan", "aisha.khan@example.pk", "+92 300 1234567", "Asia/Karachi", 1, "offer"),
        ("Diego Hernández", "diego.hernandez@example.mx", "+52 55 1234 5678", "America/Mexico_City", 3, "screening"),
        ("Hannah Schneider", "hannah.schneider@example.at", "+43 664 1234567", "Europe/Vienna", 4, "hired"),
        ("Ethan Clarke", "ethan.clarke@example.com.au", "+61 412 345 678", "Australia/Sydney", 0, "interview"),
        ("Zoë Müller", "zoe.mueller@example.ch", "+41 79 123 45 67", "Europe/Zurich", 1, "applied"),
    ],
    "globex": [
        ("Homer Simpson", "homer.simpson@example.com", "+1 312 555 0100", "America/Chicago", 0, "interview"),
        ("Lenny Leonard", "lenny.leonard@example.com", "+1 312 555 0101", "America/Chicago", 0, "applied"),
        ("Carl Carlson", "carl.carlson@example.com", "+1 312 555 0102", "America/New_York", 1, "screening"),
    ],
}


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """Create or refresh the demo data. Running it again changes nothing but the demo passwords."""
    User = get_user_model()
    counts = {"companies": 0, "users": 0, "jobs": 0, "candidates": 0}
    companies = {}
    for spec in COMPANIES:
        companies[spec["slug"]], _ = Company.objects.update_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "time_zone": spec["time_zone"]}
        )
        counts["companies"] += 1
    for slug, email, name, role, tz in USERS:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, "time_zone": tz})
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
        with scope(company=companies[slug]):
            Membership.objects.update_or_create(company=companies[slug], user=user, defaults={"role": role})
        counts["users"] += 1
    for slug, jobs in JOBS.items():
        company = companies[slug]
        with scope(company=company):
            job_rows = []
            for title, department, location, status in jobs:
                job, _ = Job.objects.get_or_create(
                    company=company, title=title,
                    defaults={"department": department, "location": location, "status": status},
                )
                job_rows.append(job)
                counts["jobs"] += 1
            recruiter = User.objects.filter(memberships__company=company).order_by("pk").first()
            for name, email, phone, tz, job_index, stage in CANDIDATES[slug]:
                Candidate.objects.get_or_create(
                    company=company, email=email,
                    defaults={
                        "full_name": name, "phone": phone, "time_zone": tz, "job": job_rows[job_index],
                        "stage": stage, "created_by": recruiter,
                    },
                )
                counts["candidates"] += 1
    return counts
