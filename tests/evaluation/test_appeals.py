"""An appeal's answer is overdue by the rule the model owns (the template shows it, never computes it)."""


def test_answer_overdue_only_when_filed_and_past_its_day():
    import datetime as dt

    from django.utils import timezone

    from doyak.evaluation.models import Appeal

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert Appeal(status="filed", answer_due_on=yesterday).answer_overdue is True
    assert Appeal(status="filed", answer_due_on=timezone.localdate()).answer_overdue is False
    assert Appeal(status="rejected", answer_due_on=yesterday).answer_overdue is False
