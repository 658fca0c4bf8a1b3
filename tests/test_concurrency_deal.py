# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two sales consultants confirming deals of the same car at once: one wins.

PostgreSQL only (run by `make test-postgresql`).  Each consultant's client
calls a real trytond server at the same moment (tests/race.py), logged in
with a session as the consultant.  The confirmation touches the vehicle row
before it checks that the car is still for sale, so the second confirmation
waits for the first, fails to serialise, is retried by the dispatcher and
then sees the car sold: its consultant gets the user error, and nothing of
the losing deal is written (no reservation, no trade-in taken into stock,
no rebate, no stored profit)."""
import datetime as dt
import shutil
import sys
import tempfile
import unittest
from decimal import Decimal

from proteus import Model, Wizard

from trytond import backend
from trytond.i18n import gettext
from trytond.modules.account.tests.tools import create_chart, get_accounts
from trytond.modules.company.tests.tools import create_company, get_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.tests.tools import activate_modules, set_user
from trytond.transaction import Transaction

from race import RaceMixin

ROUNDS = 4
# The password of the admin and of the two consultants on the test server
PASSWORD = 'deal-race-2031'

WORKER = '''
import json
import sys
import time
import xmlrpc.client

from proteus import Model, config


def prepare(order):
    "Return the call that races: the consultant confirms the deal"
    sale = Model.get('sale.sale')(order['sale'])
    assert sale.state == 'quotation', sale.state

    def confirm():
        sale.click('confirm')
        return sale.id
    return confirm


line = sys.stdin.readline()
# A session of the consultant, as the clients keep one
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
class DealConcurrencyTestCase(RaceMixin, unittest.TestCase):
    "Test concurrent confirmations of deals of the same vehicle"
    WORKER = WORKER
    WORKERS = 2
    PASSWORD = PASSWORD

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_modules('dms_sales_rebate', create_company, create_chart)
        cls._setup_data()
        cls.tmp = tempfile.mkdtemp(prefix='dms-deal-race-')
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls._start_server()

    @classmethod
    def _setup_data(cls):
        """Commit the cars in stock, two consultants with a draft deal each
        on every car, quoted, and the passwords"""
        Company = Model.get('company.company')
        Configuration = Model.get('dms.configuration')
        Employee = Model.get('company.employee')
        Group = Model.get('res.group')
        Location = Model.get('stock.location')
        Make = Model.get('dms.vehicle.make')
        ModelData = Model.get('ir.model.data')
        Party = Model.get('party.party')
        Policy = Model.get('dms.rebate.policy')
        ProductCategory = Model.get('product.category')
        ProductTemplate = Model.get('product.template')
        ProductUom = Model.get('product.uom')
        Sale = Model.get('sale.sale')
        User = Model.get('res.user')
        Vehicle = Model.get('dms.vehicle')

        admin, = User.find([('login', '=', 'admin')])
        admin.password = PASSWORD
        admin.groups.append(
            Group(ModelData.get_id('stock', 'group_stock', {})))
        admin.save()
        company = get_company()
        warehouse, = Location.find([('code', '=', 'WH')])
        warehouse.company = company
        warehouse.save()
        accounts = get_accounts()

        category = ProductCategory(name="Vehicle Sales", accounting=True)
        category.account_revenue = accounts['revenue']
        category.account_expense = accounts['expense']
        category.save()
        unit, = ProductUom.find([('symbol', '=', 'u')])

        def product(name, kind, price, cost):
            template = ProductTemplate(name=name, type='service',
                default_uom=unit, salable=True, list_price=Decimal(price),
                account_category=category, deal_kind=kind)
            template.save()
            product, = template.products
            product.cost_price = Decimal(cost)
            product.save()
            return product
        winter = product("Winter Package", 'option', '1200', '700')
        trade_in_product = product("Trade-in Allowance", 'trade_in', '0', '0')
        configuration = Configuration(1)
        configuration.deal_trade_in_product = trade_in_product
        configuration.deal_vehicle_category = category
        configuration.save()

        make = Make(name="Skoda")
        make.supplier = Party(name="Skoda Import")
        make.supplier.save()
        octavia = make.models.new(name="Octavia")
        style = octavia.variants.new(name="Style", fuel_type='diesel')
        style.list_price = Decimal('38000')
        make.save()
        style, = make.models[0].variants

        # The manufacturer pays 500 per car: the winner's rebate line
        today = dt.date.today()
        policy = Policy(name="Octavia bonus", manufacturer=make.supplier,
            start_date=today.replace(month=1, day=1),
            end_date=today.replace(month=12, day=31),
            calculation='amount', amount=Decimal('500'))
        policy.makes.append(Make(make.id))
        policy.save()

        cars = []
        for i in range(ROUNDS):
            car = Vehicle(vin=f'TMBJJ7NE5L{i:07d}', variant=style)
            car.save()
            receive = Wizard('dms.vehicle.receive', [car])
            receive.form.warehouse = warehouse
            receive.form.cost_price = Decimal('31000')
            receive.execute('receive')
            cars.append(car)

        cls.logins = ['sales.anna', 'sales.ben']
        users = []
        for login, name in zip(cls.logins, ["Anna Seller", "Ben Seller"]):
            employee = Employee(party=Party(name=name), company=company)
            employee.party.save()
            employee.save()
            user = User(login=login, name=name, password=PASSWORD)
            for module, group in [('dms_base', 'group_sales'),
                    ('sale', 'group_sale'), ('stock', 'group_stock')]:
                user.groups.append(Group(ModelData.get_id(module, group, {})))
            user.companies.append(Company(company.id))
            user.company = company
            user.employees.append(employee)
            user.employee = employee
            user.save()
            users.append(user)

        # Each consultant's customer trades in a car per deal
        cls.deals = []
        for car in cars:
            deals = []
            customers = []
            for n in range(len(users)):
                customer = Party(name=f"Customer {n} of {car.vin}")
                customer.addresses.new(street="Domstraße 1", city="Köln")
                customer.save()
                customers.append(customer)
            for n, (user, customer) in enumerate(zip(users, customers)):
                set_user(user)
                deal = Sale(party=customer)
                line = deal.lines.new()
                line.vehicle = Vehicle(car.id)
                option = deal.lines.new()
                option.product = winter
                option.quantity = 1
                deal.trade_ins.new(vin=cls.trade_in_vin(car.id, n),
                    variant=style, mileage=84000, condition='good',
                    appraised_value=Decimal('9000'),
                    allowance=Decimal('9500'))
                deal.save()
                deal.click('quote')
                assert deal.state == 'quotation', deal.state
                assert deal.salesperson == user.employee
                assert not deal.price_approval, deal.price_approval
                deals.append(deal.id)
                set_user(admin)
            cls.deals.append((car.id, deals))

    @staticmethod
    def trade_in_vin(car, n):
        "Return the VIN of the car the customer n trades in for the car"
        return f'WVWZZZ1KZAW{car:03d}{n}00'

    def test_confirm_same_vehicle_once(self):
        """Test that consultants confirming deals of one car at once sell
        it once, and that nothing of the other deal is written"""
        RebateLine = Model.get('dms.rebate.line')
        Sale = Model.get('sale.sale')
        Vehicle = Model.get('dms.vehicle')

        retries = self._retries()
        rounds = [[{'login': login, 'sale': sale}
                for login, sale in zip(self.logins, deals)]
            for _, deals in self.deals]
        results = self.race(rounds)
        retries = self._retries() - retries

        winners = []
        with Transaction().start(DB_NAME, 1, readonly=True):
            pool = Pool()
            PoolSale = pool.get('sale.sale')
            PoolVehicle = pool.get('dms.vehicle')
            for (car, deals), round_results in zip(self.deals, results):
                vehicle = PoolVehicle(car)
                names = {d: PoolSale(d).rec_name for d in deals}

                def messages(winner):
                    "The messages of a vehicle reserved by the winner"
                    loser, = set(deals) - {winner}
                    return [
                        gettext('dms_sales_rebate.msg_deal_vehicle_reserved',
                            vehicle=vehicle.rec_name, sale=names[loser],
                            deal=names[winner]),
                        gettext(
                            'dms_sales_rebate.msg_deal_vehicle_not_available',
                            vehicle=vehicle.rec_name, sale=names[loser],
                            state=vehicle.state_string),
                        ]
                winners.append(self.assertOneWinner(round_results, messages))

        for (car_id, deals), winner_id in zip(self.deals, winners):
            car = Vehicle(car_id)
            winner = Sale(winner_id)
            loser_id, = set(deals) - {winner_id}
            loser = Sale(loser_id)
            # the car is reserved by the winning deal
            self.assertEqual(car.state, 'sold')
            self.assertEqual(car.stock_state, 'in_stock')
            self.assertEqual(car.deal, winner)
            self.assertIn(winner.state, {'confirmed', 'processing'})
            rebate, = winner.rebate_lines
            self.assertEqual(
                (rebate.state, rebate.estimated_amount),
                ('estimated', Decimal('500.00')))
            self.assertEqual(winner.vehicle_revenue_cache, Decimal('38000'))
            trade_in, = winner.trade_ins
            self.assertEqual(trade_in.vehicle.stock_state, 'in_stock')

            # nothing of the losing deal was written
            self.assertEqual(loser.state, 'quotation')
            self.assertEqual(loser.sale_date, None)
            self.assertEqual(loser.rebate_lines, [])
            self.assertEqual(
                RebateLine.find([('sale', '=', loser_id)]), [])
            self.assertEqual(loser.shipments, [])
            self.assertEqual(loser.invoices, [])
            for name in ['vehicle_revenue', 'vehicle_cost', 'addon_income',
                    'commission_amount', 'over_allowance']:
                self.assertIsNone(getattr(loser, name + '_cache'), name)
            trade_in, = loser.trade_ins
            self.assertIsNone(trade_in.vehicle)
            self.assertEqual(Vehicle.find([('vin', '=', trade_in.vin)]), [])

        overlapped = sum(map(self.overlapped, results))
        print(
            f"\ndeal: {overlapped}/{ROUNDS} rounds overlapped, "
            f"{retries} requests retried", file=sys.stderr)
        # The touch of the vehicle made a confirmation wait for the other,
        # fail to serialise and be retried at least once
        self.assertGreater(retries, 0)
