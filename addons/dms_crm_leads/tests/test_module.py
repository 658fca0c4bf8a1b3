# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.party.tests import PartyCheckReplaceMixin
from trytond.tests.test_tryton import ModuleTestCase


class DmsCrmLeadsTestCase(
        PartyCheckReplaceMixin, CompanyTestMixin, ModuleTestCase):
    "Test dms_crm_leads module"
    module = 'dms_crm_leads'

    @property
    def _skip_company_rule(self):
        # the vehicle is group-wide (see dms_vehicle)
        return super()._skip_company_rule | {
            ('dms.vehicle', 'holding_company'),
            ('stock.location', 'company'),
            # a pool or source of the whole group has no company
            ('dms.lead.pool', 'company'),
            ('dms.lead.source', 'company'),
            }


del ModuleTestCase
