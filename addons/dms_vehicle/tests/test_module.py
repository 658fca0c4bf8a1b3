# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import io
import unittest
from decimal import Decimal
from unittest.mock import patch

from lxml import etree

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError, SQLConstraintError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.dms_base.tests.tools import untranslated_entries
from trytond.modules.dms_vehicle import vin as vin_tools
from trytond.modules.dms_vehicle.catalog import FUEL_TYPES
from trytond.modules.dms_vehicle.exceptions import (
    BookingValidationError, PDIError, VehicleStateError, VehicleStockError)
from trytond.modules.party.tests import (
    PartyCheckEraseMixin, PartyCheckReplaceMixin)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


class VINTestCase(unittest.TestCase):
    "Test VIN rules without a database"

    def test_normalize(self):
        "Test a VIN is upper-cased and stripped"
        self.assertEqual(
            vin_tools.normalize(' 1m8gdm9axkp042788 \n'), '1M8GDM9AXKP042788')

    def test_check_digit(self):
        "Test the check digit of a North American VIN"
        self.assertEqual(vin_tools.check_digit('1M8GDM9AXKP042788'), 'X')
        self.assertEqual(vin_tools.check_digit('JHMCM56557C404453'), '5')

    def test_check(self):
        "Test the reasons a VIN is invalid"
        self.assertIsNone(vin_tools.check('1M8GDM9AXKP042788'))
        self.assertEqual(
            vin_tools.check('1M8GDM9AYKP042788'),
            ('check_digit', {'digit': 'Y', 'expected': 'X'}))
        self.assertEqual(
            vin_tools.check('1M8GDM9AXKP04278'), ('length', {'length': 16}))
        self.assertEqual(
            vin_tools.check('WVWZZZ1JZXWO00001'), ('letter', {'letter': 'O'}))
        self.assertEqual(
            vin_tools.check('WVWZZZ1JZXW-00001'),
            ('character', {'character': '-'}))

    def test_check_digit_only_where_mandated(self):
        "Test European VINs need no check digit, Chinese ones do"
        self.assertTrue(vin_tools.check_digit_required('1M8GDM9AXKP042788'))
        self.assertTrue(vin_tools.check_digit_required('LSGJA52U86S000001'))
        self.assertFalse(vin_tools.check_digit_required('WVWZZZ1JZXW000001'))
        # Fails the computation, legitimately: position 9 is free in Europe
        self.assertNotEqual(vin_tools.check_digit('WVWZZZ1JZXW000001'), 'Z')
        self.assertIsNone(vin_tools.check('WVWZZZ1JZXW000001'))
        self.assertEqual(
            vin_tools.check('LSGJA52U86S000001')[0], 'check_digit')
        self.assertIsNone(vin_tools.check(
                vin_tools.with_check_digit('LSGJA52U86S000001')))

    def test_decode(self):
        "Test decoding manufacturer, country and model year"
        decoded = vin_tools.decode(
            '1M8GDM9AXKP042788', today=dt.date(2026, 1, 1))
        self.assertEqual(decoded['country'], 'United States')
        self.assertEqual(decoded['model_year'], 1989)
        decoded = vin_tools.decode('WVWZZZ1JZXW000001')
        self.assertEqual(decoded['manufacturer'], 'Volkswagen')
        self.assertIsNone(decoded['model_year'])

    def test_model_year(self):
        "Test the model year follows the cycle of position 7"
        today = dt.date(2026, 11, 25)
        for vin, year in [
                # a digit in position 7: 1980-2009
                ('5N1NJ01CXST000001', 1995),
                ('1M8GDM9AXKP042788', 1989),
                ('1FTFW1ET5DFC10312', 2013),
                # a letter: 2010-2039
                ('5UXCR6C05T9171875', 2026),
                ('5UXCR6C0XV9357542', 2027),
                # after next year
                ('5UXCR6C0XW9357542', None),
                # China: the latest cycle up to next year
                ('LSGJA52U86S000001', 2006),
                ('LSGJA52U8TS000001', 2026),
                # Europe leaves position 10 to the manufacturer
                ('WVWZZZ1JZXW000001', None),
                ]:
            with self.subTest(vin=vin):
                self.assertEqual(vin_tools.model_year(vin, today), year)


class DmsVehicleTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test dms_vehicle module"
    module = 'dms_vehicle'

    @property
    def _skip_company_rule(self):
        # The vehicle master is group-wide, like a party: its holding
        # company is computed from the stock moves, not a rule's key.  The
        # group's warehouses are seen by all rooftops, for transfers.
        return super()._skip_company_rule | {
            ('dms.vehicle', 'holding_company'),
            ('stock.location', 'company'),
            }

    def _variant(self):
        pool = Pool()
        Make = pool.get('dms.vehicle.make')
        make, = Make.create([{
                    'name': "Volkswagen",
                    'models': [('create', [{
                                    'name': "Golf",
                                    'variants': [('create', [{
                                                    'name': "Life",
                                                    'fuel_type': 'petrol',
                                                    }])],
                                    }])],
                    }])
        return make.models[0].variants[0]

    @with_transaction()
    def test_photo_exif_orientation(self):
        "Test a portrait photo stored sideways is stored upright"
        from PIL import Image
        pool = Pool()
        Photo = pool.get('dms.vehicle.photo')
        image = Image.new('RGB', (800, 400), 'red')
        exif = image.getexif()
        exif[0x0112] = 6  # rotate 90° clockwise to display
        data = io.BytesIO()
        image.save(data, format='JPEG', exif=exif)
        upright = Image.open(io.BytesIO(Photo.convert(data.getvalue())))
        self.assertEqual(upright.size, (400, 800))

    @with_transaction()
    def test_variant_product_requires_lot(self):
        "Test a variant gets a goods product whose moves require a lot"
        company = create_company()
        with set_company(company):
            variant = self._variant()
        self.assertEqual(variant.product.type, 'goods')
        self.assertIn('storage', variant.product.lot_required)
        self.assertIn('supplier', variant.product.lot_required)
        self.assertEqual(variant.product.rec_name, "Volkswagen Golf Life")

    @with_transaction()
    def test_variant_changes_follow_on_products(self):
        "Test repriced variants reprice their products"
        pool = Pool()
        Variant = pool.get('dms.vehicle.variant')
        company = create_company()
        with set_company(company):
            life = self._variant()
            style, move = Variant.create([{
                        'model': life.model.id,
                        'name': name,
                        'fuel_type': 'diesel',
                        } for name in ["Style", "Move"]])
            Variant.write([life, style, move], {
                    'list_price': Decimal('30000'),
                    })
            self.assertEqual(
                [(v.product.rec_name, v.product.template.list_price)
                    for v in Variant.browse([life, style, move])],
                [("Volkswagen Golf Life", Decimal('30000')),
                    ("Volkswagen Golf Style", Decimal('30000')),
                    ("Volkswagen Golf Move", Decimal('30000'))])

    @with_transaction()
    def test_vehicle_lot_numbered_by_vin(self):
        "Test a vehicle with a variant gets its lot numbered by the VIN"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        company = create_company()
        with set_company(company):
            variant = self._variant()
            vehicle, bare = Vehicle.create([
                    {'vin': ' wvwzzz1jzxw000001 ', 'variant': variant.id},
                    {'vin': 'WVWZZZ1JZXW000002'},
                    ])
        self.assertEqual(vehicle.vin, 'WVWZZZ1JZXW000001')
        self.assertEqual(vehicle.lot.number, vehicle.vin)
        self.assertEqual(vehicle.lot.product, variant.product)
        self.assertEqual(vehicle.make.name, "Volkswagen")
        self.assertEqual(bare.make.name, "Volkswagen")  # from the VIN
        self.assertIsNone(bare.lot)

        Vehicle.write([bare], {'variant': variant.id})
        self.assertEqual(bare.lot.number, 'WVWZZZ1JZXW000002')

    @with_transaction()
    def test_scrapped_vehicle_not_sold(self):
        "Test a scrapped vehicle is neither sold nor held by other modules"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{
                        'vin': 'WVWZZZ1JZXW000003',
                        'state': 'scrapped',
                        }])
            Vehicle.sell([vehicle])
            Vehicle.hold([vehicle])
            self.assertEqual(Vehicle(vehicle.id).state, 'scrapped')

    @with_transaction()
    def test_hold(self):
        "Test a vehicle is held for a customer until a day, then released"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company):
            today = Date.today()
            customer, = Party.create([{'name': "Carla Kunde"}])
            ending, later = Vehicle.create([
                    {'vin': 'WVWZZZ1JZXW000017'},
                    {'vin': 'WVWZZZ1JZXW000018'},
                    ])
            with self.assertRaisesRegex(
                    VehicleStateError,
                    r'^Enter the customer, the reason and the last day '
                    r'before putting vehicle "WVWZZZ1JZXW000017" on hold\.'):
                Vehicle.hold([ending])
            Vehicle.write([ending, later], {
                    'hold_party': customer.id,
                    'hold_reason': "Financing being approved",
                    'hold_until': today - dt.timedelta(days=1),
                    })
            with self.assertRaisesRegex(
                    VehicleStateError,
                    r'cannot be held until .*: that day has passed\.'):
                Vehicle.hold([ending])
            self.assertEqual(Vehicle(ending.id).state, 'available')

            Vehicle.write([ending], {'hold_until': today})
            Vehicle.write([later], {
                    'hold_until': today + dt.timedelta(days=1)})
            Vehicle.hold([ending, later])
            self.assertEqual(
                [v.state for v in Vehicle.browse([ending, later])],
                ['held', 'held'])

            # The scheduler the day after the first hold's last day
            with patch.object(
                    Date, 'today',
                    return_value=today + dt.timedelta(days=1)):
                Vehicle.release_expired_holds()
            ending, later = Vehicle.browse([ending, later])
            self.assertEqual(
                (ending.state, ending.hold_party, ending.hold_until),
                ('available', None, None))
            self.assertEqual(
                (later.state, later.hold_party), ('held', customer))

            Vehicle.sell([later])
            self.assertEqual(Vehicle(later.id).state, 'sold')
            # A sale cancelled leaves the car free, without the old hold
            Vehicle.cancel_sale([later])
            later = Vehicle(later.id)
            self.assertEqual(
                (later.state, later.hold_party, later.hold_until),
                ('available', None, None))

    @with_transaction()
    def test_sale_cancelled_not_once_delivered(self):
        "Test a sale is cancelled until the car is delivered"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        company = create_company()
        with set_company(company):
            vehicle = self._received_vehicle('WVWZZZ1JZXW000019')
            Vehicle.sell([vehicle])
            Vehicle.cancel_sale([vehicle])
            self.assertEqual(vehicle.state, 'available')
            Vehicle.sell([vehicle])
            self._pass_pdi(vehicle, dt.date(2026, 3, 2))
            self._move(vehicle, 'STO', 'CUS', date=dt.date(2026, 3, 3))
            with self.assertRaisesRegex(
                    VehicleStateError,
                    r'^The sale of vehicle "WVWZZZ1JZXW000019 .*" cannot be '
                    r'cancelled: it was delivered\.'):
                Vehicle.cancel_sale([vehicle])

    @with_transaction()
    def test_customer_vehicle_never_in_stock(self):
        "Test only a vehicle never received becomes a customer's own"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        company = create_company()
        with set_company(company):
            own, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000020'}])
            Vehicle.to_customer([own])
            self.assertEqual(own.state, 'customer')
            stock = self._received_vehicle('WVWZZZ1JZXW000021')
            with self.assertRaisesRegex(
                    VehicleStateError,
                    r'is "In Stock": only a vehicle the group never received'):
                Vehicle.to_customer([stock])

    @with_transaction()
    def test_scrapped_vehicle_shows_no_buttons(self):
        "Test the vehicle form hides every button of a scrapped vehicle"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        arch = etree.fromstring(
            Vehicle.fields_view_get(view_type='form')['arch'])
        group, = arch.xpath('//group[@id="buttons"]')
        self.assertEqual(
            PYSONDecoder({'state': 'scrapped'}).decode(group.get('states')),
            {'invisible': True})
        self.assertEqual(
            PYSONDecoder({'state': 'available'}).decode(group.get('states')),
            {'invisible': False})

    @with_transaction()
    def test_vehicle_list_filters_fuel_type(self):
        "Test the vehicle list offers every fuel type to its search bar"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        view = Vehicle.fields_view_get(view_type='tree')
        self.assertIn('fuel_type', view['fields'])
        self.assertTrue(view['fields']['fuel_type']['searchable'])
        self.assertEqual(
            [k for k, _ in view['fields']['fuel_type']['selection'] if k],
            [k for k, _ in FUEL_TYPES])

    @with_transaction()
    def test_delete_vehicle(self):
        "Test deleting a vehicle deletes its lot, unless the lot has moves"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        company = create_company()
        with set_company(company):
            variant = self._variant()
            vehicle, moved = Vehicle.create([
                    {'vin': 'WVWZZZ1JZXW000004', 'variant': variant.id},
                    {'vin': 'WVWZZZ1JZXW000005', 'variant': variant.id},
                    ])
            lot = vehicle.lot
            Vehicle.delete([vehicle])
            self.assertFalse(Lot.search([('id', '=', lot.id)]))

            supplier, = Location.search([('code', '=', 'SUP')])
            storage, = Location.search([('code', '=', 'STO')])
            Move.create([{
                        'product': variant.product.id,
                        'lot': moved.lot.id,
                        'quantity': 1,
                        'unit': variant.product.default_uom.id,
                        'from_location': supplier.id,
                        'to_location': storage.id,
                        'unit_price': 0,
                        'currency': company.currency.id,
                        }])
            with self.assertRaisesRegex(
                    AccessError, 'because it has stock moves'):
                Vehicle.delete([moved])

    def _move(self, vehicle, from_code, to_code, date=None):
        "Do a stock move of the vehicle between the locations of the codes"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Company = pool.get('company.company')
        company = Company(Transaction().context['company'])
        from_location, = Location.search([('code', '=', from_code)])
        to_location, = Location.search([('code', '=', to_code)])
        move, = Move.create([{
                    'product': vehicle.lot.product.id,
                    'lot': vehicle.lot.id,
                    'quantity': 1,
                    'unit': vehicle.lot.product.default_uom.id,
                    'from_location': from_location.id,
                    'to_location': to_location.id,
                    'unit_price': 0,
                    'currency': company.currency.id,
                    'effective_date': date,
                    }])
        Move.do([move])
        return move

    def _receive(self, vehicle, date=None):
        "Receive the vehicle from the supplier into the storage location"
        return self._move(vehicle, 'SUP', 'STO', date=date)

    @with_transaction()
    def test_archived_variant_keeps_one_unit(self):
        "Test a vehicle of an archived variant is still in stock once at most"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Variant = pool.get('dms.vehicle.variant')
        company = create_company()
        with set_company(company):
            variant = self._variant()
            vehicle, = Vehicle.create([
                    {'vin': 'WVWZZZ1JZXW000008', 'variant': variant.id}])
            Variant.write([variant], {'active': False})

            self._receive(vehicle)
            self.assertEqual(vehicle.stock_state, 'in_stock')
            self.assertTrue(vehicle.on_hand)
            with self.assertRaisesRegex(
                    VehicleStockError, 'is already in stock'):
                self._receive(vehicle)

    @with_transaction()
    def test_stock_position_stored(self):
        "Test the stock moves keep the stored stock position of the vehicle"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Date = pool.get('ir.date')
        Location = pool.get('stock.location')
        company = create_company()
        with set_company(company):
            variant = self._variant()
            vehicle, = Vehicle.create([
                    {'vin': 'WVWZZZ1JZXW000016', 'variant': variant.id}])
            storage, = Location.search([('code', '=', 'STO')])
            received = Date.today() - dt.timedelta(days=100)

            self._receive(vehicle, date=received)
            vehicle = Vehicle(vehicle.id)
            self.assertEqual(vehicle.holding_company, company)
            self.assertEqual(vehicle.location, storage)
            self.assertEqual(vehicle.receipt_date, received)
            self.assertEqual(vehicle.days_in_stock, 100)
            self.assertEqual(vehicle.aging, '91-180')
            self.assertEqual(
                Vehicle.search([('days_in_stock', '>', 90)]), [vehicle])
            self.assertEqual(Vehicle.search([
                        ('holding_company', '=', company.id),
                        ('receipt_date', '=', received),
                        ]), [vehicle])

            # a copy is a new vehicle, not in stock
            copy, = Vehicle.copy([vehicle], default={
                    'vin': 'WVWZZZ1JZXW000024'})
            self.assertEqual(
                (copy.holding_company, copy.location, copy.receipt_date,
                    copy.on_hand, copy.state, copy.stock_state),
                (None, None, None, False, 'available', 'none'))

            # sent back to the manufacturer
            self._move(vehicle, 'STO', 'SUP')
            vehicle = Vehicle(vehicle.id)
            self.assertEqual(
                (vehicle.holding_company, vehicle.location,
                    vehicle.receipt_date, vehicle.days_in_stock,
                    bool(vehicle.on_hand), vehicle.stock_state),
                (None, None, None, None, False, 'none'))
            self.assertEqual(Vehicle.search([('days_in_stock', '>', 90)]), [])

    @with_transaction()
    def test_stock_position_not_written_by_users(self):
        "Test users cannot set the stock position the stock moves keep"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Location = pool.get('stock.location')
        User = pool.get('res.user')
        company = create_company()
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        with set_company(company):
            variant = self._variant()
            vehicle, = Vehicle.create([
                    {'vin': 'WVWZZZ1JZXW000032', 'variant': variant.id}])
            storage, = Location.search([('code', '=', 'STO')])
            with Transaction().set_user(admin.id), \
                    Transaction().set_context(_check_access=True):
                for serial, values in enumerate([
                        {'location': storage.id},
                        {'on_hand': True},
                        {'holding_company': company.id},
                        {'receipt_date': dt.date(2026, 1, 5)},
                        {'lot': None},
                        ]):
                    with self.subTest(values=values):
                        with self.assertRaisesRegex(
                                AccessError, 'it is set by the system'):
                            Vehicle.write([vehicle], values)
                        if not any(values.values()):
                            continue
                        with self.assertRaisesRegex(
                                AccessError, 'it is set by the system'):
                            Vehicle.create([{
                                        'vin': f'WVWZZZ1JZXW00004{serial}',
                                        'variant': variant.id,
                                        **values}])
                # while the stock moves the user does still set them
                self._receive(vehicle)
            vehicle = Vehicle(vehicle.id)
            self.assertEqual(vehicle.location, storage)
            self.assertTrue(vehicle.on_hand)

    def _pass_pdi(self, vehicle, date):
        "Pass a PDI of the vehicle on the date"
        pool = Pool()
        PDI = pool.get('dms.vehicle.pdi')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        company = Transaction().context['company']
        party, = Party.create([{'name': "Tim Technician"}])
        technician, = Employee.create([{
                    'party': party.id,
                    'company': company,
                    }])
        pdi, = PDI.create([{
                    'vehicle': vehicle.id,
                    'company': company,
                    'date': date,
                    'technician': technician.id,
                    'lines': [('create', [{
                                    'name': "Lights",
                                    'result': 'ok',
                                    }])],
                    }])
        PDI.pass_([pdi])
        return pdi

    def _received_vehicle(self, vin):
        "Return a vehicle received on 2026-03-02, inspected the day before"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        variant = self._variant()
        vehicle, = Vehicle.create([{'vin': vin, 'variant': variant.id}])
        self._receive(vehicle, date=dt.date(2026, 3, 2))
        # Inspected before it arrived: a PDI of an earlier stay in stock
        self._pass_pdi(vehicle, dt.date(2026, 3, 1))
        return vehicle

    @with_transaction()
    def test_pdi_gate_stock_move_not_sold(self):
        "Test a stock move to a customer of a vehicle not sold is refused"
        company = create_company()
        with set_company(company):
            vehicle = self._received_vehicle('WVWZZZ1JZXW000009')
            with self.assertRaisesRegex(
                    VehicleStateError, 'must be sold before it is delivered'):
                self._move(vehicle, 'STO', 'CUS', date=dt.date(2026, 3, 3))

    @with_transaction()
    def test_pdi_gate_stock_move_pdi_before_receipt(self):
        "Test a stock move to a customer needs a PDI since the receipt"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        company = create_company()
        with set_company(company):
            vehicle = self._received_vehicle('WVWZZZ1JZXW000009')
            Vehicle.sell([vehicle])
            with self.assertRaisesRegex(
                    VehicleStateError,
                    'entered the stock on 03/02/2026 and cannot be delivered '
                    'without a pre-delivery inspection passed since then'):
                self._move(vehicle, 'STO', 'CUS', date=dt.date(2026, 3, 3))

    @with_transaction()
    def test_pdi_gate_stock_move_delivers(self):
        "Test a stock move to a customer delivers a sold, inspected vehicle"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        company = create_company()
        with set_company(company):
            vehicle = self._received_vehicle('WVWZZZ1JZXW000009')
            Vehicle.sell([vehicle])
            self._pass_pdi(vehicle, dt.date(2026, 3, 2))
            self._move(vehicle, 'STO', 'CUS', date=dt.date(2026, 3, 3))
            self.assertEqual(
                (vehicle.state, vehicle.stock_state), ('sold', 'delivered'))
            self.assertFalse(vehicle.on_hand)

    @with_transaction()
    def test_delivery_cancelled(self):
        "Test cancelling a delivery puts the car back in stock as sold"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Move = pool.get('stock.move')
        company = create_company()
        with set_company(company):
            vehicle = self._received_vehicle('WVWZZZ1JZXW000040')
            Vehicle.sell([vehicle])
            self._pass_pdi(vehicle, dt.date(2026, 3, 2))
            move = self._move(vehicle, 'STO', 'CUS', date=dt.date(2026, 3, 3))

            Move.cancel([move])
            vehicle = Vehicle(vehicle.id)
            self.assertEqual(
                (vehicle.state, vehicle.stock_state, vehicle.usage,
                    bool(vehicle.on_hand), vehicle.receipt_date),
                ('sold', 'in_stock', 'new', True, dt.date(2026, 3, 2)))

            # back from the customer: the stock is the moves', the sale the
            # user's (the receive wizard makes a trade-in available)
            self._move(vehicle, 'STO', 'CUS', date=dt.date(2026, 3, 4))
            self._move(vehicle, 'CUS', 'STO', date=dt.date(2026, 6, 1))
            vehicle = Vehicle(vehicle.id)
            self.assertEqual(
                (vehicle.state, vehicle.stock_state, vehicle.receipt_date),
                ('sold', 'in_stock', dt.date(2026, 6, 1)))

    @with_transaction()
    def test_deliver_needs_stock(self):
        "Test the deliver button delivers only a vehicle in stock"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{
                        'vin': 'WVWZZZ1JZXW000010',
                        'variant': self._variant().id,
                        }])
            Vehicle.sell([vehicle])
            with self.assertRaisesRegex(
                    VehicleStateError,
                    r'is "Not Received", not in a rooftop\'s stock; receive '
                    r'it before delivering it'):
                Vehicle.deliver([vehicle])
            self.assertEqual(
                (vehicle.state, vehicle.stock_state), ('sold', 'none'))
            # Delivered straight from the manufacturer, by another module's
            # shipment, it needs a passed PDI of any date
            with self.assertRaisesRegex(
                    VehicleStateError,
                    'cannot be delivered without a passed pre-delivery'):
                Vehicle.check_pdi([vehicle])
            self._pass_pdi(vehicle, dt.date(2020, 1, 1))
            Vehicle.check_pdi([vehicle])

    @with_transaction()
    def test_pdi_result_needs_technician(self):
        "Test a PDI result is refused without a technician"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        PDI = pool.get('dms.vehicle.pdi')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000006'}])
            pdi, = PDI.create([{
                        'vehicle': vehicle.id,
                        'lines': [('create', [{
                                        'name': "Lights",
                                        'result': 'ok',
                                        }])],
                        }])
            for button in [PDI.pass_, PDI.fail]:
                with self.assertRaisesRegex(
                        PDIError, 'Set the technician of inspection'):
                    button([pdi])
            self.assertEqual(pdi.state, 'draft')

    @with_transaction()
    def test_booking_hand_out_refused_for_customer_vehicle(self):
        "Test a booked vehicle that went to a customer is not handed out"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Booking = pool.get('dms.vehicle.booking')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000007'}])
            start = dt.datetime(2026, 11, 23, 9)
            booking, = Booking.create([{
                        'vehicle': vehicle.id,
                        'purpose': 'internal_use',
                        'planned_start': start,
                        'planned_end': start + dt.timedelta(hours=2),
                        'mileage_out': 10,
                        }])
            Vehicle.to_customer([vehicle])
            with self.assertRaisesRegex(
                    UserError, 'is "Customer Vehicle" and cannot be booked'):
                Booking.check_out([booking])

    def _booking(self, vehicle, start, hours=2, **values):
        values.setdefault('purpose', 'internal_use')
        return dict(
            vehicle=vehicle.id, planned_start=start,
            planned_end=start + dt.timedelta(hours=hours), **values)

    @with_transaction()
    def test_booking_rec_name_in_user_timezone(self):
        "Test a booking is named by its start in the user's timezone"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Booking = pool.get('dms.vehicle.booking')
        Company = pool.get('company.company')
        company = create_company()
        Company.write([company], {'timezone': 'Europe/Berlin'})
        with set_company(company):
            vehicle, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000011'}])
            booking, = Booking.create([self._booking(
                        vehicle, dt.datetime(2026, 11, 23, 8))])
            # The language puts a no-break space between date and time
            self.assertEqual(
                booking.rec_name.replace('\xa0', ' '),
                "WVWZZZ1JZXW000011 @ 11/23/2026 09:00:00")
            with Transaction().set_context(timezone='America/New_York'):
                booking = Booking(booking.id)
                self.assertEqual(
                    booking.rec_name.replace('\xa0', ' '),
                    "WVWZZZ1JZXW000011 @ 11/23/2026 03:00:00")

    @with_transaction()
    def test_booking_overlap_saved_together(self):
        "Test two overlapping bookings saved together are refused"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Booking = pool.get('dms.vehicle.booking')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000012'}])
            start = dt.datetime(2026, 11, 23, 8)
            # By the platform's check of the exclusion constraint, in the
            # database on PostgreSQL
            with self.assertRaisesRegex(
                    SQLConstraintError,
                    r'^The vehicle is already booked for an overlapping '
                    r'time, by a booking saved with this one'):
                Booking.create([
                        self._booking(vehicle, start),
                        self._booking(vehicle, start + dt.timedelta(hours=1)),
                        ])

    @with_transaction()
    def test_booking_planned_end_before_start(self):
        "Test a booking ending before it starts is refused by name"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Booking = pool.get('dms.vehicle.booking')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000013'}])
            start = dt.datetime(2026, 11, 23, 8)
            message = (
                r'^The booking of vehicle "WVWZZZ1JZXW000013" from '
                r'11/23/2026\s08:00:00 must end after it starts, not at '
                r'11/23/2026\s07:00:00\.')
            with self.assertRaisesRegex(BookingValidationError, message):
                Booking.create([self._booking(vehicle, start, hours=-1)])
            booking, = Booking.create([self._booking(vehicle, start)])
            with self.assertRaisesRegex(BookingValidationError, message):
                Booking.write([booking], {
                        'planned_end': start - dt.timedelta(hours=1)})

    @with_transaction()
    def test_booking_return_before_hand_out(self):
        "Test a booking returned before it went out is refused by name"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Booking = pool.get('dms.vehicle.booking')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000014'}])
            start = dt.datetime(2026, 11, 23, 8)
            booking, = Booking.create([self._booking(vehicle, start)])
            with self.assertRaisesRegex(
                    BookingValidationError,
                    r': a mileage of -5 km is not possible\.'):
                Booking.write([booking], {'mileage_out': -5})
            Booking.write([booking], {'mileage_out': 10})
            Booking.check_out([booking])
            with self.assertRaisesRegex(
                    BookingValidationError,
                    r'the vehicle cannot be back at 11/23/2026\s07:00:00, '
                    r'before it went out at 11/23/2026\s'):
                Booking.write([booking], {
                        'actual_out': start,
                        'actual_in': start - dt.timedelta(hours=1),
                        })

    @with_transaction()
    def test_booking_new_car_not_once_sold(self):
        "Test a new stock car is booked for test drives until it is sold"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Booking = pool.get('dms.vehicle.booking')
        company = create_company()
        with set_company(company):
            vehicle, = Vehicle.create([{'vin': 'WVWZZZ1JZXW000015'}])
            self.assertEqual(vehicle.usage, 'new')
            start = dt.datetime(2026, 11, 23, 8)
            drive, = Booking.create([self._booking(
                        vehicle, start, purpose='test_drive',
                        borrower=company.party.id, mileage_out=5)])

            Vehicle.sell([vehicle])
            with self.assertRaisesRegex(
                    BookingValidationError,
                    r'^Vehicle "WVWZZZ1JZXW000015" is "Sold" and cannot be '
                    r'booked; only vehicles available or on hold'):
                Booking.create([self._booking(
                            vehicle, start + dt.timedelta(days=1))])
            with self.assertRaisesRegex(
                    BookingValidationError, 'is "Sold" and cannot be booked'):
                Booking.check_out([drive])

    @with_transaction()
    def test_aging_bucket(self):
        "Test days in stock fall into their aging bucket"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        self.assertEqual(
            [Vehicle._aging_bucket(d)
                for d in [None, 0, 30, 31, 90, 91, 180, 181, 2000]],
            [None, '0-30', '0-30', '31-60', '61-90', '91-180', '91-180',
                '181+', '181+'])

    @with_transaction()
    def test_german_translation(self):
        "Test the German translation loads for messages, fields and states"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Vehicle = pool.get('dms.vehicle')
        german, = Lang.search([('code', '=', 'de')])
        Lang.load_translations([german])
        with Transaction().set_context(language='de'):
            self.assertEqual(
                gettext(
                    'dms_vehicle.msg_vehicle_vin_check_digit',
                    vin="1M8GDM9AYKP042788", digit="Y", expected="X"),
                "Die FIN \"1M8GDM9AYKP042788\" hat die Prüfziffer \"Y\", "
                "erwartet wird \"X\".")
            fields = Vehicle.fields_get(
                ['vin', 'usage', 'state', 'stock_state'])
            self.assertEqual(fields['vin']['string'], "FIN")
            self.assertIn(
                ('demo', "Vorführwagen"), fields['usage']['selection'])
            self.assertIn(
                ('held', "Reserviert"), fields['state']['selection'])
            self.assertIn(
                ('in_transit', "Unterwegs"),
                fields['stock_state']['selection'])

    @with_transaction()
    def test_german_translation_complete(self):
        "Test every string of the module has its German translation"
        self.maxDiff = None
        missing, obsolete = untranslated_entries('dms_vehicle', 'de')
        self.assertEqual(missing, [], msg="Not translated in locale/de.po")
        self.assertEqual(obsolete, [], msg="No longer in the module")


del ModuleTestCase
