# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two salespeople claiming the same lead of the pool at once: one gets it.

PostgreSQL only (run by `make test-postgresql`).  Each salesperson's client
calls a real trytond server at the same moment (tests/race.py), logged in
with a session.  The claim touches the lead's row before it checks that
the lead has no owner, so the second claim waits for the first, fails to
serialise, is retried by the dispatcher and then sees the owner: its
salesperson is told who took the lead, and nothing of the losing claim is
written (one owner, one claim in the history)."""
import shutil
import sys
import tempfile
import unittest

from proteus import Model

from trytond import backend
from trytond.i18n import gettext
from trytond.modules.company.tests.tools import create_company, get_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.tests.tools import activate_modules, set_user
from trytond.transaction import Transaction

from race import RaceMixin

ROUNDS = 6
# The password of the admin and of the two salespeople on the test server
PASSWORD = 'lead-race-2031'

WORKER = '''
import json
import sys
import time
import xmlrpc.client

from proteus import Model, config


def prepare(order):
    "Return the call that races: the salesperson claims the lead"
    lead = Model.get('sale.opportunity')(order['lead'])
    assert lead.employee is None, lead.employee
    employee = config.get_config().context['employee']

    def claim():
        lead.click('claim')
        return employee
    return claim


line = sys.stdin.readline()
# A session of the salesperson, as the clients keep one
with config.set_xmlrpc_session(
        sys.argv[1], json.loads(line)['login'], sys.argv[2]):
    while line:
        run = prepare(json.loads(line))
        print('ready', flush=True)
        if sys.stdin.readline() != 'go\\n':
            break
        start = time.monotonic()
        try:
            result = {'id': run()}
        except xmlrpc.client.Fault as fault:
            result = {'code': fault.faultCode, 'error': fault.faultString}
        result['start'], result['end'] = start, time.monotonic()
        print(json.dumps(result), flush=True)
        line = sys.stdin.readline()
'''


@unittest.skipUnless(
    backend.name == 'postgresql', "concurrent transactions need PostgreSQL")
class LeadClaimConcurrencyTestCase(RaceMixin, unittest.TestCase):
    "Test concurrent claims of the same lead"
    WORKER = WORKER
    WORKERS = 2
    PASSWORD = PASSWORD

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_modules('dms_crm_leads', create_company)
        cls._setup_data()
        cls.tmp = tempfile.mkdtemp(prefix='dms-lead-race-')
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls._start_server()

    @classmethod
    def _setup_data(cls):
        "Commit a pool of waiting leads, two salespeople and the passwords"
        Company = Model.get('company.company')
        Employee = Model.get('company.employee')
        Group = Model.get('res.group')
        LeadPool = Model.get('dms.lead.pool')
        ModelData = Model.get('ir.model.data')
        Opportunity = Model.get('sale.opportunity')
        Party = Model.get('party.party')
        User = Model.get('res.user')

        admin, = User.find([('login', '=', 'admin')])
        admin.password = PASSWORD
        admin.save()
        company = get_company()
        pool = LeadPool(name="Web Leads")
        pool.save()
        cls.leads = []
        for i in range(ROUNDS):
            customer = Party(name=f"Web Customer {i}")
            customer.save()
            lead = Opportunity(party=customer, pool=pool,
                lead_type='new_vehicle', channel='website')
            lead.employee = None
            lead.save()
            cls.leads.append(lead.id)

        cls.logins = ['sales.anna', 'sales.ben']
        for login, name in zip(cls.logins, ["Anna Seller", "Ben Seller"]):
            party = Party(name=name)
            party.save()
            employee = Employee(party=party, company=company)
            employee.save()
            user = User(login=login, name=name, password=PASSWORD)
            for module, group in [('dms_base', 'group_sales'),
                    ('sale_opportunity', 'group_opportunity')]:
                user.groups.append(Group(ModelData.get_id(module, group, {})))
            user.companies.append(Company(company.id))
            user.company = company
            user.employees.append(employee)
            user.employee = employee
            user.save()
        set_user(admin)

    def test_claim_same_lead_once(self):
        """Test that salespeople claiming one lead at once give it one
        owner, and that the other is told who took it"""
        History = Model.get('dms.lead.history')
        Opportunity = Model.get('sale.opportunity')

        retries = self._retries()
        rounds = [[{'login': login, 'lead': lead} for login in self.logins]
            for lead in self.leads]
        results = self.race(rounds)
        retries = self._retries() - retries

        winners = []
        with Transaction().start(DB_NAME, 1, readonly=True):
            pool = Pool()
            Employee = pool.get('company.employee')
            PoolOpportunity = pool.get('sale.opportunity')
            for lead_id, round_results in zip(self.leads, results):
                name = PoolOpportunity(lead_id).rec_name

                def messages(winner):
                    return [gettext('dms_crm_leads.msg_lead_owned',
                            lead=name, employee=Employee(winner).rec_name)]
                winners.append(self.assertOneWinner(round_results, messages))

        for lead_id, winner in zip(self.leads, winners):
            lead = Opportunity(lead_id)
            self.assertEqual(lead.employee.id, winner)
            self.assertIsNotNone(lead.owner_since)
            claims = History.find([
                    ('lead', '=', lead_id), ('action', '=', 'claim')])
            self.assertEqual(len(claims), 1)
            self.assertEqual(claims[0].employee.id, winner)

        overlapped = sum(map(self.overlapped, results))
        print(
            f"\nlead: {overlapped}/{ROUNDS} rounds overlapped, "
            f"{retries} requests retried", file=sys.stderr)
        # The touch of the lead made a claim wait for the other, fail to
        # serialise and be retried at least once
        self.assertGreater(retries, 0)
