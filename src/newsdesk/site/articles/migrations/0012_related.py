from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0011_search_ranking"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="related_ids",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
