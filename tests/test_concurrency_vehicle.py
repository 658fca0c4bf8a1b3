# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rooftops receiving or booking the same vehicle at once: one of them wins.

PostgreSQL only (run by `make test-postgresql`).  A real trytond server runs
on the test database and worker processes, each logged in with a session as
a client is, call it over XML-RPC at the same moment (a barrier through their
pipes), so that every request takes Tryton's normal path: a transaction that
fails to serialise is retried by the dispatcher.

- Receiving: the vehicle row is touched before the lot's stock is summed, so
  a concurrent receipt waits, fails to serialise, is retried and then sees
  the committed move: the rooftop gets the user error, not a database error.
- Booking: the exclusion constraint on vehicle and planned time refuses an
  overlapping booking that the check before the insert could not see yet,
  because the other request had not committed it."""
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

WORKERS = 4
ROUNDS = 5
# The admin's password on the test server (not the login: trytond refuses it)
PASSWORD = 'rooftop-race-2031'

WORKER = '''
import datetime as dt
import json
import sys
import time
import xmlrpc.client
from decimal import Decimal

from proteus import Model, Wizard, config


def prepare(order):
    "Return the call that races, everything before it done"
    Company = Model.get('company.company')
    Vehicle = Model.get('dms.vehicle')
    company = Company(order['company'])
    vehicle = Vehicle(order['vehicle'])
    if order['action'] == 'receive':
        Location = Model.get('stock.location')
        receive = Wizard('dms.vehicle.receive', [vehicle])
        receive.form.company = company
        receive.form.warehouse = Location(order['warehouse'])
        receive.form.date = dt.date.fromisoformat(order['date'])
        receive.form.cost_price = Decimal(order['cost_price'])
        return lambda: receive.execute('receive')
    Booking = Model.get('dms.vehicle.booking')
    booking = Booking()
    booking.company = company
    booking.vehicle = vehicle
    booking.purpose = 'internal_use'
    booking.planned_start = dt.datetime.fromisoformat(order['start'])
    booking.planned_end = dt.datetime.fromisoformat(order['end'])

    def book():
        booking.save()
        return booking.id
    return book


# A session, as the clients keep one: the password is checked once
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
class VehicleConcurrencyTestCase(RaceMixin, unittest.TestCase):
    "Test concurrent receipts and bookings of the same vehicle"
    WORKER = WORKER
    WORKERS = WORKERS
    PASSWORD = PASSWORD

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_modules('dms_vehicle', create_company)
        cls._setup_data()
        cls.tmp = tempfile.mkdtemp(prefix='dms-vehicle-race-')
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls._start_server()

    @classmethod
    def _setup_data(cls):
        "Commit a catalog, vehicles and the admin's password"
        User = Model.get('res.user')
        Make = Model.get('dms.vehicle.make')
        Vehicle = Model.get('dms.vehicle')
        Location = Model.get('stock.location')

        admin, = User.find([('login', '=', 'admin')])
        admin.password = PASSWORD
        admin.save()

        Party = Model.get('party.party')
        make = Make(name="Volkswagen", code="VW")
        make.supplier = Party(name="VW Import")
        make.supplier.save()
        golf = make.models.new(name="Golf")
        life = golf.variants.new(name="Life", engine="1.5 TSI")
        life.fuel_type = 'petrol'
        make.save()
        life, = make.models[0].variants

        vehicles = [
            Vehicle(vin=f'WVWZZZ1KZAW{100 + i:06d}', variant=life)
            for i in range(ROUNDS + 1)]
        Vehicle.save(vehicles)
        *cls.received, cls.booked = [v.id for v in vehicles]
        cls.company = get_company().id
        cls.warehouse, = [
            w.id for w in Location.find([('code', '=', 'WH')])]

    def test_receive_same_vehicle_once(self):
        "Test that rooftops receiving the same vehicle at once receive it once"
        Vehicle = Model.get('dms.vehicle')
        Move = Model.get('stock.move')
        Location = Model.get('stock.location')

        retries = self._retries()
        rounds = [[{
                    'action': 'receive',
                    'vehicle': vehicle,
                    'company': self.company,
                    'warehouse': self.warehouse,
                    'date': dt.date.today().isoformat(),
                    'cost_price': str(Decimal('25000.00') + i),
                    } for i in range(WORKERS)]
            for vehicle in self.received]
        results = self.race(rounds)
        retries = self._retries() - retries

        storage = Location(self.warehouse).storage_location
        for vehicle_id, round_results in zip(self.received, results):
            vehicle = Vehicle(vehicle_id)
            with Transaction().start(DB_NAME, 1, readonly=True):
                message = gettext(
                    'dms_vehicle.msg_vehicle_stock_twice',
                    vehicle=Pool().get('dms.vehicle')(vehicle_id).rec_name)
            self.assertOneWinner(round_results, lambda winner: [message])
            moves = Move.find([('lot', '=', vehicle.lot.id)])
            # the one receipt: into the input zone, then the storage zone
            self.assertEqual([m.state for m in moves], ['done', 'done'])
            self.assertIn(storage, [m.to_location for m in moves])
            self.assertEqual(vehicle.location, storage)
            self.assertEqual(vehicle.stock_state, 'in_stock')
            # received from the supplier: still for sale
            self.assertEqual(vehicle.state, 'available')
        overlapped = sum(map(self.overlapped, results))
        print(
            f"\nreceive: {overlapped}/{ROUNDS} rounds overlapped, "
            f"{retries} requests retried", file=sys.stderr)
        # The guard took the path of a retried request at least once
        self.assertGreater(retries, 0)

    def test_book_same_vehicle_once(self):
        "Test that overlapping bookings of a vehicle at once keep one"
        Booking = Model.get('dms.vehicle.booking')

        first = dt.datetime.combine(
            dt.date.today() + dt.timedelta(days=7), dt.time(9))
        days = [first + dt.timedelta(days=d) for d in range(ROUNDS)]
        # Each worker's booking overlaps the others' of the same day
        rounds = [[{
                    'action': 'book',
                    'vehicle': self.booked,
                    'company': self.company,
                    'start': (day + dt.timedelta(minutes=15 * i)).isoformat(),
                    'end': (day + dt.timedelta(hours=2, minutes=15 * i)
                        ).isoformat(),
                    } for i in range(WORKERS)]
            for day in days]
        results = self.race(rounds)

        with Transaction().start(DB_NAME, 1, readonly=True):
            pool = Pool()
            Lang = pool.get('ir.lang')
            PoolBooking = pool.get('dms.vehicle.booking')
            lang = Lang.get()
            purposes = dict(
                PoolBooking.fields_get(['purpose'])['purpose']['selection'])

            def messages(winner):
                "The messages of the exclusion constraint and of the check"
                winner = PoolBooking(winner)
                return [
                    gettext('dms_vehicle.msg_booking_overlap_concurrent'),
                    gettext(
                        'dms_vehicle.msg_booking_overlap',
                        vehicle=winner.vehicle.rec_name,
                        start=lang.strftime(winner.planned_start),
                        end=lang.strftime(winner.planned_end),
                        booking=purposes[winner.purpose]),
                    ]
            winners = [self.assertOneWinner(r, messages) for r in results]
            constraint = gettext('dms_vehicle.msg_booking_overlap_concurrent')
            concurrent = sum(
                r.get('error', '').startswith(constraint)
                for round_results in results for r in round_results)

        bookings = Booking.find([
                ('vehicle', '=', self.booked),
                ('state', '!=', 'cancelled'),
                ], order=[('planned_start', 'ASC')])
        self.assertEqual([b.id for b in bookings], winners)
        self.assertEqual(
            [b.planned_start.date() for b in bookings],
            [d.date() for d in days])
        overlapped = sum(map(self.overlapped, results))
        print(
            f"\nbooking: {overlapped}/{ROUNDS} rounds overlapped, "
            f"{concurrent} bookings refused by the exclusion constraint",
            file=sys.stderr)
        # The database, not only the check before the insert, refused an
        # overlapping booking that a concurrent request had not committed yet
        self.assertGreater(concurrent, 0)

    def test_booking_exclusion_constraint(self):
        "Test that the database holds the exclusion constraint of bookings"
        with Transaction().start(DB_NAME, 0, readonly=True) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint AS c "
                "JOIN pg_class AS t ON t.oid = c.conrelid "
                "WHERE t.relname = %s AND c.contype = 'x'",
                ('dms_vehicle_booking',))
            constraints = dict(cursor)
        self.assertIn('dms_vehicle_booking_vehicle_overlap', constraints)
        definition = constraints['dms_vehicle_booking_vehicle_overlap']
        self.assertIn('USING gist', definition)
        self.assertIn('&&', definition)
