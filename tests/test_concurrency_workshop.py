# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service advisors booking the same bay slot at once: exactly one wins.

PostgreSQL only (run by `make test-postgresql`).  Advisors' clients call a
real trytond server at the same moment (tests/race.py): the check before
the insert cannot see an appointment another request has not committed
yet, so the exclusion constraint on bay and planned time refuses it."""
import datetime as dt
import shutil
import sys
import tempfile
import unittest
from decimal import Decimal

from proteus import Model

from trytond import backend
from trytond.i18n import gettext
from trytond.modules.company.tests.tools import create_company, get_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

from race import RaceMixin

ROUNDS = 4

WORKER = '''
import datetime as dt
import json
import sys
import time
import xmlrpc.client

from proteus import Model, config


def prepare(order):
    "Return the call that races, the appointment filled in before"
    Appointment = Model.get('dms.workshop.appointment')
    appointment = Appointment()
    appointment.workshop = Model.get('dms.workshop')(order['workshop'])
    appointment.vehicle = Model.get('dms.vehicle')(order['vehicle'])
    appointment.customer = Model.get('party.party')(order['customer'])
    appointment.bay = Model.get('dms.workshop.bay')(order['bay'])
    appointment.planned_start = dt.datetime.fromisoformat(order['start'])
    appointment.planned_end = dt.datetime.fromisoformat(order['end'])

    def book():
        appointment.save()
        return appointment.id
    return book


with config.set_xmlrpc_session(sys.argv[1], 'admin', sys.argv[2]):
    while line := sys.stdin.readline():
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
'''


@unittest.skipUnless(
    backend.name == 'postgresql', "concurrent transactions need PostgreSQL")
class WorkshopConcurrencyTestCase(RaceMixin, unittest.TestCase):
    "Test concurrent appointments on the same bay"
    WORKER = WORKER
    WORKERS = 4
    PASSWORD = 'service-race-2031'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_modules('dms_workshop', create_company)
        cls._setup_data()
        cls.tmp = tempfile.mkdtemp(prefix='dms-workshop-race-')
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls._start_server()

    @classmethod
    def _setup_data(cls):
        "Commit a workshop with a bay, a customer and the admin's password"
        User = Model.get('res.user')
        Make = Model.get('dms.vehicle.make')
        Vehicle = Model.get('dms.vehicle')
        Location = Model.get('stock.location')
        Party = Model.get('party.party')
        Template = Model.get('product.template')
        Uom = Model.get('product.uom')
        Sequence = Model.get('ir.sequence')
        SequenceType = Model.get('ir.sequence.type')
        Workshop = Model.get('dms.workshop')

        admin, = User.find([('login', '=', 'admin')])
        admin.password = cls.PASSWORD
        admin.save()

        make = Make(name="Volkswagen")
        golf = make.models.new(name="Golf")
        golf.variants.new(name="Life", fuel_type='petrol')
        make.save()
        life, = make.models[0].variants
        customer = Party(name="Carla Kunde")
        customer.save()
        vehicle = Vehicle(vin='WVWZZZ1KZAW000017', variant=life,
            owner=customer)
        vehicle.save()

        hour, = Uom.find([('symbol', '=', 'h')])
        labour = Template(name="Labour", type='service', default_uom=hour,
            list_price=Decimal('120'))
        labour.save()
        company = get_company()
        sequence_type, = SequenceType.find([('name', '=', "Repair Order")])
        sequence = Sequence(name="Repair Orders",
            sequence_type=sequence_type, company=company)
        sequence.save()
        warehouse, = Location.find([('code', '=', 'WH')])
        workshop = Workshop(name="Service", code='S', warehouse=warehouse,
            order_sequence=sequence, labour_product=labour.products[0])
        workshop.bays.new(name="Lift 1")
        workshop.save()
        cls.workshop = workshop.id
        cls.bay = workshop.bays[0].id
        cls.customer = customer.id
        cls.vehicle = vehicle.id

    def test_book_same_bay_once(self):
        "Test that advisors booking one bay slot at once book it once"
        Appointment = Model.get('dms.workshop.appointment')

        first = dt.datetime.combine(
            dt.date.today() + dt.timedelta(days=7), dt.time(7))
        days = [first + dt.timedelta(days=d) for d in range(ROUNDS)]
        rounds = [[{
                    'workshop': self.workshop,
                    'bay': self.bay,
                    'vehicle': self.vehicle,
                    'customer': self.customer,
                    'start': (day + dt.timedelta(minutes=10 * i)).isoformat(),
                    'end': (day + dt.timedelta(hours=1, minutes=10 * i)
                        ).isoformat(),
                    } for i in range(self.WORKERS)]
            for day in days]
        results = self.race(rounds)

        with Transaction().start(DB_NAME, 1, readonly=True):
            bay = Pool().get('dms.workshop.bay')(self.bay).rec_name
            constraint = gettext(
                'dms_workshop.msg_appointment_bay_overlap_concurrent')
        check = f'Bay "{bay}" is already booked from '
        winners, concurrent = [], 0
        for round_results in results:
            ids = [r['id'] for r in round_results if 'id' in r]
            self.assertEqual(len(ids), 1, msg=round_results)
            winners.extend(ids)
            for result in round_results:
                if 'id' in result:
                    continue
                # a user error, never a database error
                self.assertEqual(result['code'], 1, msg=result)
                self.assertTrue(
                    result['error'].startswith((constraint, check)),
                    msg=result['error'])
                concurrent += result['error'].startswith(constraint)

        appointments = Appointment.find(
            [('bay', '=', self.bay)], order=[('planned_start', 'ASC')])
        self.assertEqual([a.id for a in appointments], winners)
        overlapped = sum(map(self.overlapped, results))
        print(
            f"\nbay: {overlapped}/{ROUNDS} rounds overlapped, "
            f"{concurrent} appointments refused by the exclusion constraint",
            file=sys.stderr)
        # The database refused an appointment the check could not see yet
        self.assertGreater(concurrent, 0)

    def test_appointment_exclusion_constraints(self):
        "Test that the database holds the exclusion constraints"
        with Transaction().start(DB_NAME, 0, readonly=True) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint AS c "
                "JOIN pg_class AS t ON t.oid = c.conrelid "
                "WHERE t.relname = ANY(%s) AND c.contype = 'x'",
                (['dms_workshop_appointment', 'dms_workshop_clock'],))
            constraints = dict(cursor)
        for name in ['dms_workshop_appointment_bay_overlap',
                'dms_workshop_appointment_technician_overlap']:
            self.assertIn('USING gist', constraints[name])
            self.assertIn('&&', constraints[name])
        # one open clock per technician: a partial unique exclusion
        clock = constraints['dms_workshop_clock_technician_open_exclude']
        self.assertIn('(technician WITH =)', clock)
        self.assertIn('"end" IS NULL', clock)
