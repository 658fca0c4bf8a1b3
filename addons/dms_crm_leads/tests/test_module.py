# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.dms_base.tests.tools import untranslated_entries
from trytond.modules.party.tests import PartyCheckReplaceMixin
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


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

    @with_transaction()
    def test_german_translation_complete(self):
        "Test every string of the module has its German translation"
        self.maxDiff = None
        missing, obsolete = untranslated_entries('dms_crm_leads', 'de')
        self.assertEqual(missing, [], msg="Not translated in locale/de.po")
        self.assertEqual(obsolete, [], msg="No longer in the module")


del ModuleTestCase
