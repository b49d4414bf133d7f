"""Every regulation a selected proposal (one with an agreement) named (proposals.RegulationDependency) gets its project record, linked
by ``origin``; the daily job computes the statuses. Reverse: the linked records made here are removed."""

from django.db import migrations


def forward(apps, schema_editor):
    RegulationDependency = apps.get_model("proposals", "RegulationDependency")
    ProjectRegulation = apps.get_model("regulation", "ProjectRegulation")
    ProjectRegulation.objects.bulk_create([
        ProjectRegulation(proposal_id=row.proposal_id, origin_id=row.pk, regulation=row.regulation,
                          route="demonstration_exemption")
        for row in RegulationDependency.objects.filter(proposal__agreement__isnull=False,
                                                       project_record__isnull=True)], batch_size=2000)


def backward(apps, schema_editor):
    ProjectRegulation = apps.get_model("regulation", "ProjectRegulation")
    ProjectRegulation.objects.filter(origin__isnull=False, granted_on__isnull=True, applied_on__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("regulation", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
