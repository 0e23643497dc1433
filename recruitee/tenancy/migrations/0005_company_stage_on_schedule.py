from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tenancy", "0004_scheduling_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="stage_on_schedule",
            field=models.CharField(
                blank=True,
                choices=[("", "— don't move —"), ("screening", "Screening"), ("interview", "Interview")],
                default="interview",
                help_text="Only forward: a candidate already past this stage, or in Offer, Hired or Rejected, "
                "stays put.",
                max_length=20,
                verbose_name="when an interview is scheduled, move the candidate to stage",
            ),
        ),
    ]
