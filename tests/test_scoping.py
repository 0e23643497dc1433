import pytest
from django_scopes import ScopeError, scope

from recruitee.recruiting.models import Candidate

pytestmark = pytest.mark.django_db


def test_it_refuses_tenant_queries_outside_a_scope(acme_candidate):
    with pytest.raises(ScopeError):
        list(Candidate.objects.all())


def test_it_sees_only_the_scoped_companys_rows(acme_candidate, globex, outsider):
    with scope(company=globex):
        assert list(Candidate.objects.all()) == []
    with scope(company=acme_candidate.company):
        assert list(Candidate.objects.all()) == [acme_candidate]
