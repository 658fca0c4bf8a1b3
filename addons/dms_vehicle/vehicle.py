# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null, Window
from sql.conditionals import Case
from sql.functions import RowNumber
from sql.operators import Equal

from trytond import backend
from trytond.backend import MAX_QUERY_PARAMS
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.ir.attachment import AttachmentCopyMixin
from trytond.ir.note import NoteCopyMixin
from trytond.model import Exclude, Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from . import shipment
from . import vin as vin_tools
from .catalog import FUEL_TYPES
from .photo import THUMBNAIL_SIZE
from .stock import LOCATION_STOCK_STATES
from .exceptions import VehicleStateError, VINValidationError

_in = fields.SQL_OPERATORS['in']

STATES = [
    ('available', "Available"),
    ('held', "On Hold"),
    ('sold', "Sold"),
    ('customer', "Customer Vehicle"),
    ('scrapped', "Scrapped"),
    ]
STOCK_STATES = [
    ('none', "Not Received"),
    ('in_transit', "In Transit"),
    ('in_stock', "In Stock"),
    ('delivered', "Delivered"),
    ('written_off', "Written Off"),
    ]
USAGES = [
    ('new', "New"),
    ('used', "Used"),
    ('demo', "Demonstrator"),
    ('loaner', "Loaner"),
    ('company_car', "Company Car"),
    ]
# Days in stock and their buckets, for the aging graph and filters
AGING = [
    (None, ""),
    ('0-30', "0-30 days"),
    ('31-60', "31-60 days"),
    ('61-90', "61-90 days"),
    ('91-180', "91-180 days"),
    ('181+', "over 180 days"),
    ]
AGING_LIMITS = {
    '0-30': (0, 30),
    '31-60': (31, 60),
    '61-90': (61, 90),
    '91-180': (91, 180),
    '181+': (181, None),
    }


class Vehicle(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        AttachmentCopyMixin, NoteCopyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'dms.vehicle'
    __string__ = "Vehicle"
    _rec_name = 'vin'

    vin = fields.Char(
        "VIN", required=True,
        help="The vehicle identification number (ISO 3779), 17 characters.")
    make = fields.Many2One(
        'dms.vehicle.make', "Make", ondelete='RESTRICT',
        help="Filled from the VIN or the variant when left empty.")
    model = fields.Many2One(
        'dms.vehicle.model', "Model", ondelete='RESTRICT',
        domain=[
            If(Bool(Eval('make')), ('make', '=', Eval('make', -1)), ()),
            ])
    variant = fields.Many2One(
        'dms.vehicle.variant', "Variant", ondelete='RESTRICT',
        domain=[
            If(Bool(Eval('model')), ('model', '=', Eval('model', -1)), ()),
            ],
        states={
            'readonly': Eval('lot_moved', False),
            },
        help="The variant's product is the one the vehicle is stocked as.")
    model_year = fields.Integer(
        "Model Year",
        domain=['OR',
            ('model_year', '=', None),
            [('model_year', '>=', 1900), ('model_year', '<=', 2100)],
            ])
    manufacturer = fields.Function(
        fields.Char("Manufacturer", help="As the VIN tells it."),
        'on_change_with_manufacturer')
    manufacture_country = fields.Function(
        fields.Char("Country of Manufacture", help="As the VIN tells it."),
        'on_change_with_manufacture_country')
    fuel_type = fields.Function(
        fields.Selection([(None, "")] + FUEL_TYPES, "Fuel Type"),
        'get_variant_field', searcher='search_variant_field')
    plate = fields.Char(
        "Registration Plate", size=20, strip=True,
        help="The current registration plate; changes are kept in the "
        "plate history.")
    plates = fields.One2Many(
        'dms.vehicle.plate', 'vehicle', "Plate History", readonly=True)
    first_registration = fields.Date("First Registration")
    exterior_colour = fields.Char("Exterior Colour", size=60)
    interior_colour = fields.Char("Interior Colour", size=60)
    usage = fields.Selection(USAGES, "Usage", required=True)
    owner = fields.Many2One(
        'party.party', "Owner", ondelete='RESTRICT',
        context={
            'company': Eval('context', {}).get('company', -1),
            },
        help="The registered keeper; changes are kept in the owner history.")
    owners = fields.One2Many(
        'dms.vehicle.owner', 'vehicle', "Owner History", readonly=True)
    mileage = fields.Function(
        fields.Integer("Mileage (km)", help="The last odometer reading."),
        'get_mileage')
    mileages = fields.One2Many(
        'dms.vehicle.mileage', 'vehicle', "Mileage History")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False,
        help="What the group decided about the vehicle: "
        "for sale, on hold for a customer, sold, a customer's own or "
        "scrapped.")
    state_string = state.translated('state')
    stock_state = fields.Selection(
        STOCK_STATES, "Stock State", readonly=True, required=True,
        sort=False,
        help="Where the stock moves of the vehicle put it; "
        "kept up to date by its shipments.")
    stock_state_string = stock_state.translated('stock_state')
    hold_party = fields.Many2One(
        'party.party', "Held For", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'available',
            },
        context={
            'company': Eval('context', {}).get('company', -1),
            },
        help="The customer the vehicle is held for.")
    hold_reason = fields.Char(
        "Hold Reason", size=200,
        states={
            'readonly': Eval('state') != 'available',
            })
    hold_until = fields.Date(
        "Held Until",
        states={
            'readonly': Eval('state') != 'available',
            },
        help="The day the hold ends; "
        "the hold is released the day after.")
    lot = fields.Many2One(
        'stock.lot', "Lot", readonly=True, ondelete='RESTRICT',
        help="The stock lot of the variant's product, numbered by the VIN.")
    on_hand = fields.Boolean(
        "On Hand", readonly=True,
        help="The vehicle's lot is in a storage location of the group now; "
        "kept up to date by its stock moves.")
    lot_moved = fields.Function(
        fields.Boolean("Lot Moved"), 'get_lot_moved')
    # Stored by the moves of the lot, so that lists and counters read a column
    holding_company = fields.Many2One(
        'company.company', "Holding Company", readonly=True,
        ondelete='RESTRICT',
        help="The rooftop whose stock holds the vehicle now; "
        "kept up to date by its stock moves.")
    location = fields.Many2One(
        'stock.location', "Location", readonly=True, ondelete='RESTRICT',
        help="The storage location the vehicle is in now; "
        "kept up to date by its stock moves.")
    rooftop = fields.Function(
        fields.Char("Rooftop", help="The rooftop that holds the vehicle."),
        'get_rooftop', searcher='search_rooftop')
    asking_price = Monetary(
        "Asking Price", currency='currency', digits='currency',
        domain=['OR',
            ('asking_price', '=', None),
            ('asking_price', '>=', 0),
            ],
        help="The price the vehicle is offered at; "
        "the variant's list price when left empty on intake.")
    currency = fields.Many2One(
        'currency.currency', "Currency", ondelete='RESTRICT',
        states={
            'required': Bool(Eval('asking_price')),
            })
    receipt_date = fields.Date(
        "Receipt Date", readonly=True,
        help="When the vehicle entered the group's stock; transfers "
        "between rooftops keep it.")
    days_in_stock = fields.Function(
        fields.Integer("Days in Stock"),
        'get_days_in_stock', searcher='search_days_in_stock')
    aging = fields.Function(
        fields.Selection(AGING, "Aging"),
        'get_days_in_stock', searcher='search_aging')
    units = fields.Function(
        fields.Integer("Vehicles", help="One: graphs sum it to count."),
        'get_units')
    pdis = fields.One2Many('dms.vehicle.pdi', 'vehicle', "PDIs")
    bookings = fields.One2Many('dms.vehicle.booking', 'vehicle', "Bookings")
    documents = fields.One2Many(
        'dms.document', 'vehicle', "Papers",
        help="Registration certificate, certificate of conformity and "
        "other vehicle papers.")
    photos = fields.One2Many('dms.vehicle.photo', 'vehicle', "Photos")
    cover = fields.Function(
        fields.Binary("Cover"), 'get_cover')
    scrap_date = fields.Date("Scrap Date", readonly=True)
    scrap_reason = fields.Text("Scrap Reason", readonly=True)
    dismantler = fields.Many2One(
        'party.party', "Dismantler", readonly=True, ondelete='RESTRICT',
        context={
            'company': Eval('context', {}).get('company', -1),
            })
    destruction_certificate = fields.Many2One(
        'dms.document', "Certificate of Destruction", readonly=True,
        ondelete='RESTRICT')
    comment = fields.Text("Comment")

    _make_cache = Cache('dms.vehicle.make_by_manufacturer', context=False)
    # The model and make of a variant, for intake in bulk
    _variant_cache = Cache('dms.vehicle.variant_catalog', context=False)

    @classmethod
    def __setup__(cls):
        cls.vin.search_unaccented = False
        cls.plate.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('vin_unique', Exclude(t, (t.vin, Equal)),
                'dms_vehicle.msg_vehicle_vin_unique'),
            ('lot_unique', Exclude(t, (t.lot, Equal),
                    where=t.lot != Null),
                'dms_vehicle.msg_vehicle_lot_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.make, Index.Range()), (t.state, Index.Equality())),
                Index(t, (t.stock_state, Index.Equality(cardinality='low')),
                    where=t.stock_state == 'in_stock'),
                Index(t, (t.receipt_date, Index.Range()),
                    where=t.receipt_date != Null),
                Index(t, (t.holding_company, Index.Range()),
                    where=t.holding_company != Null),
                Index(t, (t.state, Index.Equality())),
                Index(t, (t.model, Index.Range())),
                Index(t, (t.variant, Index.Range())),
                Index(t, (t.owner, Index.Range())),
                Index(t, (t.plate, Index.Similarity())),
                Index(t, (t.vin, Index.Similarity())),
                })
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('available', 'held'),
            ('held', 'available'),
            ('available', 'sold'),
            ('held', 'sold'),
            ('sold', 'available'),
            ('available', 'customer'),
            ('customer', 'available'),
            ('available', 'scrapped'),
            ('held', 'scrapped'),
            ('customer', 'scrapped'),
            }
        cls._buttons.update({
                'hold': {
                    'invisible': Eval('state') != 'available',
                    'depends': ['state'],
                    },
                'release': {
                    'invisible': Eval('state') != 'held',
                    'depends': ['state'],
                    },
                'sell': {
                    'invisible': ~Eval('state').in_(['available', 'held']),
                    'depends': ['state'],
                    },
                'cancel_sale': {
                    'invisible': ((Eval('state') != 'sold')
                        | (Eval('stock_state') == 'delivered')),
                    'depends': ['state', 'stock_state'],
                    },
                'deliver': {
                    'invisible': ((Eval('state') != 'sold')
                        | ~Eval('stock_state').in_(
                            ['in_stock', 'in_transit'])),
                    'depends': ['state', 'stock_state'],
                    },
                'to_customer': {
                    'invisible': ((Eval('state') != 'available')
                        | (Eval('stock_state') != 'none')),
                    'depends': ['state', 'stock_state'],
                    },
                'receive': {
                    'invisible': (Eval('state') == 'scrapped')
                    | ~Eval('stock_state').in_(['none', 'delivered']),
                    'readonly': ~Eval('variant'),
                    'depends': ['state', 'stock_state', 'variant'],
                    },
                'transfer': {
                    'invisible': ~Eval('location'),
                    'depends': ['location'],
                    },
                'scrap': {
                    'invisible': ~Eval('state').in_(
                        ['available', 'held', 'customer']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Lot = pool.get('stock.lot')
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        # Migration from one state for stock and sale
        migrate = (backend.TableHandler.table_exist(cls._table)
            and not cls.__table_handler__(module).column_exist('stock_state'))

        super().__register__(module)

        if migrate:
            cursor.execute(*table.update([table.state], [Case(
                            (table.state.in_(
                                    ['ordered', 'in_transit', 'in_stock']),
                                'available'),
                            (table.state == 'reserved', 'held'),
                            (table.state == 'delivered', 'sold'),
                            else_=table.state)]))
            cursor.execute(*table.select(
                    table.lot, where=table.lot != Null))
            lots = Lot.browse([l for l, in cursor])
            by_state = defaultdict(list)
            for lot, (type_, *_) in Lot.vehicle_positions(lots).items():
                by_state[LOCATION_STOCK_STATES[type_]].append(lot)
            for stock_state, lot_ids in by_state.items():
                for sub_ids in grouped_slice(lot_ids, MAX_QUERY_PARAMS):
                    cursor.execute(*table.update(
                            [table.stock_state], [stock_state],
                            where=_in(table.lot, list(sub_ids))))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="scrapping"]', 'states', {
                    'invisible': Eval('state') != 'scrapped',
                    }),
            ('//group[@id="buttons"]', 'states', {
                    'invisible': Eval('state') == 'scrapped',
                    }),
            ]

    @classmethod
    def default_state(cls):
        return 'available'

    @classmethod
    def default_stock_state(cls):
        return 'none'

    @classmethod
    def default_usage(cls):
        return 'new'

    @classmethod
    def default_on_hand(cls):
        return False

    def get_rec_name(self, name):
        items = [self.vin]
        description = self.variant or self.model or self.make
        if description:
            items.append(description.rec_name)
        if self.plate:
            items.append(f'[{self.plate}]')
        return ' '.join(items)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        domain = search_any(clause, [
            'vin',
            'plate',
            'model.rec_name',
            ])
        if isinstance(value, str):
            normalized = vin_tools.normalize(value)
            if normalized != value:
                domain.append(('vin', operator, normalized))
        return domain

    @fields.depends('vin')
    def on_change_with_manufacturer(self, name=None):
        if self.vin and not vin_tools.check(self.vin):
            return vin_tools.decode(self.vin)['manufacturer']

    @fields.depends('vin')
    def on_change_with_manufacture_country(self, name=None):
        if self.vin and not vin_tools.check(self.vin):
            return vin_tools.decode(self.vin)['country']

    @fields.depends('vin', 'make', 'model_year')
    def on_change_vin(self):
        pool = Pool()
        Make = pool.get('dms.vehicle.make')
        if not self.vin:
            return
        self.vin = vin_tools.normalize(self.vin)
        if vin_tools.check(self.vin):
            return
        decoded = self._decode(self.vin)
        if not self.model_year:
            self.model_year = decoded['model_year']
        if not self.make and decoded['make']:
            self.make = Make(decoded['make'])

    @fields.depends('variant', 'model', 'make', 'asking_price', 'currency')
    def on_change_variant(self):
        if self.variant:
            self.model = self.variant.model
            self.make = self.variant.model.make
            if self.asking_price is None:
                self.asking_price = self.variant.list_price
                self.currency = self.variant.currency

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Variant = pool.get('dms.vehicle.variant')
        return Variant.default_currency()

    def get_rooftop(self, name):
        if self.holding_company:
            return self.holding_company.get_short_name()

    @classmethod
    def search_rooftop(cls, name, clause):
        return search_any(clause, [
                'holding_company.short_name',
                'holding_company.rec_name',
                ])

    @fields.depends('model', 'make')
    def on_change_model(self):
        if self.model:
            self.make = self.model.make

    @classmethod
    def _makes_by_manufacturer(cls):
        pool = Pool()
        Make = pool.get('dms.vehicle.make')
        makes = cls._make_cache.get(None)
        if makes is None:
            makes = {}
            for make in Make.search([]):
                for name in filter(None, [make.name, make.manufacturer]):
                    makes.setdefault(name.lower(), make.id)
            cls._make_cache.set(None, makes)
        return makes

    @classmethod
    def _decode(cls, vin):
        pool = Pool()
        Date = pool.get('ir.date')
        decoded = vin_tools.decode(vin, today=Date.today())
        manufacturer = decoded['manufacturer']
        decoded['make'] = (
            cls._makes_by_manufacturer().get(manufacturer.lower())
            if manufacturer else None)
        return decoded

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Variant = pool.get('dms.vehicle.variant')
        Model = pool.get('dms.vehicle.model')
        values = super().preprocess_values(mode, values)
        if values.get('vin'):
            values['vin'] = vin_tools.normalize(values['vin'])
            if not vin_tools.check(values['vin']):
                decoded = cls._decode(values['vin'])
                if mode == 'create':
                    for name in ['model_year', 'make']:
                        if values.get(name) is None:
                            values[name] = decoded[name]
        if values.get('variant'):
            catalog = cls._variant_cache.get(values['variant'])
            if catalog is None:
                variant = Variant(values['variant'])
                catalog = (variant.model.id, variant.model.make.id,
                    str(variant.list_price)
                    if variant.list_price is not None else None,
                    variant.currency.id)
                cls._variant_cache.set(values['variant'], catalog)
            values['model'], values['make'], price, currency = catalog
            if mode == 'create' and values.get('asking_price') is None:
                values['asking_price'] = (
                    Decimal(price) if price is not None else None)
                values['currency'] = currency
        elif values.get('model'):
            values['make'] = Model(values['model']).make.id
        return values

    @classmethod
    def validate_fields(cls, vehicles, field_names):
        super().validate_fields(vehicles, field_names)
        cls.check_vin(vehicles, field_names)
        cls.check_catalog(vehicles, field_names)

    @classmethod
    def check_vin(cls, vehicles, field_names=None):
        if field_names and 'vin' not in field_names:
            return
        messages = {
            'length': 'dms_vehicle.msg_vehicle_vin_length',
            'letter': 'dms_vehicle.msg_vehicle_vin_letter',
            'character': 'dms_vehicle.msg_vehicle_vin_character',
            'check_digit': 'dms_vehicle.msg_vehicle_vin_check_digit',
            }
        for vehicle in vehicles:
            error = vin_tools.check(vehicle.vin)
            if error:
                reason, params = error
                raise VINValidationError(gettext(
                        messages[reason], vin=vehicle.vin, **params))

    @classmethod
    def check_catalog(cls, vehicles, field_names=None):
        if field_names and not (field_names & {'make', 'model', 'variant'}):
            return
        for vehicle in vehicles:
            if (vehicle.model and vehicle.make
                    and vehicle.model.make != vehicle.make):
                raise VINValidationError(gettext(
                        'dms_vehicle.msg_vehicle_model_make',
                        vehicle=vehicle.rec_name,
                        model=vehicle.model.rec_name,
                        make=vehicle.make.rec_name))

    @classmethod
    def check_modification(cls, mode, vehicles, values=None, external=False):
        super().check_modification(
            mode, vehicles, values=values, external=external)
        if mode == 'write' and values.keys() & {'vin', 'variant'}:
            for vehicle in cls._with_lot_moves(vehicles):
                if ('variant' in values
                        and values['variant'] != vehicle.variant.id):
                    raise AccessError(gettext(
                            'dms_vehicle.msg_vehicle_variant_moved',
                            vehicle=vehicle.rec_name))
                # The value as given: preprocess_values normalises it later
                if ('vin' in values
                        and vin_tools.normalize(values['vin'] or '')
                        != vehicle.vin):
                    raise AccessError(gettext(
                            'dms_vehicle.msg_vehicle_vin_moved',
                            vehicle=vehicle.rec_name))
        elif mode == 'delete':
            for vehicle in cls._with_lot_moves(vehicles):
                raise AccessError(gettext(
                        'dms_vehicle.msg_vehicle_delete_moved',
                        vehicle=vehicle.rec_name))

    @classmethod
    def _with_lot_moves(cls, vehicles):
        "Return the vehicles whose lot has stock moves"
        pool = Pool()
        Move = pool.get('stock.move')
        lots = {v.lot.id: v for v in vehicles if v.lot}
        if not lots:
            return []
        moves = Move.search([
                ('lot', 'in', list(lots)),
                ], order=[])
        return [lots[l] for l in {m.lot.id for m in moves}]

    @classmethod
    def get_lot_moved(cls, vehicles, name):
        moved = set(cls._with_lot_moves(vehicles))
        return {v.id: v in moved for v in vehicles}

    @classmethod
    def on_modification(cls, mode, vehicles, field_names=None):
        super().on_modification(mode, vehicles, field_names=field_names)
        if mode == 'create':
            cls._update_lots(vehicles)
            cls._record_history(vehicles, {'plate', 'owner'}, new=True)
        elif mode == 'write':
            if field_names & {'vin', 'variant'}:
                cls._update_lots(vehicles)
            if field_names & {'plate', 'owner'}:
                cls._record_history(vehicles, field_names)

    @classmethod
    def on_delete(cls, vehicles):
        pool = Pool()
        Lot = pool.get('stock.lot')
        callbacks = super().on_delete(vehicles)
        lots = [v.lot for v in vehicles if v.lot]
        if lots:
            callbacks.append(lambda: Lot.delete(Lot.browse(lots)))
        return callbacks

    @classmethod
    def _update_lots(cls, vehicles):
        """Create the lot of each vehicle that has a variant, or follow a
        changed VIN or variant"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        to_create, to_write = [], []
        for vehicle in vehicles:
            product = vehicle.variant.product if vehicle.variant else None
            if vehicle.lot:
                if (vehicle.lot.number != vehicle.vin
                        or (product and vehicle.lot.product != product)):
                    to_write.extend(([vehicle.lot], {
                                'number': vehicle.vin,
                                'product': (product or vehicle.lot.product).id,
                                }))
            elif product:
                to_create.append((vehicle, product))
        if to_write:
            Lot.write(*to_write)
        if to_create:
            lots = Lot.create([{
                        'number': v.vin,
                        'product': p.id,
                        } for v, p in to_create])
        if to_create:
            args = []
            for (vehicle, _), lot in zip(to_create, lots):
                args.extend(([vehicle], {'lot': lot.id}))
            cls.write(*args)

    @classmethod
    def _record_history(cls, vehicles, field_names, new=False):
        pool = Pool()
        Plate = pool.get('dms.vehicle.plate')
        Owner = pool.get('dms.vehicle.owner')
        Date = pool.get('ir.date')
        today = Date.today()
        plates, owners, closed = [], [], []
        if 'plate' in field_names:
            for vehicle in vehicles:
                if vehicle.plate and (new or not vehicle.plates
                        or vehicle.plates[0].plate != vehicle.plate):
                    plates.append({
                            'vehicle': vehicle.id,
                            'plate': vehicle.plate,
                            'date': today,
                            })
        if 'owner' in field_names:
            for vehicle in vehicles:
                current = (
                    vehicle.owners[0] if not new and vehicle.owners else None)
                if current and not current.end_date:
                    if current.owner == vehicle.owner:
                        continue
                    closed.append(current)
                if vehicle.owner:
                    owners.append({
                            'vehicle': vehicle.id,
                            'owner': vehicle.owner.id,
                            'start_date': today,
                            })
        if plates:
            Plate.create(plates)
        if closed:
            Owner.write(closed, {'end_date': today})
        if owners:
            Owner.create(owners)

    @classmethod
    def get_mileage(cls, vehicles, name):
        pool = Pool()
        Mileage = pool.get('dms.vehicle.mileage')
        mileage = Mileage.__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys(map(int, vehicles))
        for sub_ids in grouped_slice(list(result), MAX_QUERY_PARAMS):
            ranked = mileage.select(
                mileage.vehicle, mileage.reading,
                RowNumber(window=Window([mileage.vehicle],
                        order_by=[mileage.date.desc, mileage.id.desc])
                    ).as_('rank'),
                where=_in(mileage.vehicle, list(sub_ids)))
            cursor.execute(*ranked.select(
                    ranked.vehicle, ranked.reading,
                    where=ranked.rank == 1))
            result.update(cursor)
        return result

    @classmethod
    def get_days_in_stock(cls, vehicles, names):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        result = {n: {} for n in names}
        for vehicle in vehicles:
            days = None
            if vehicle.receipt_date:
                days = (today - vehicle.receipt_date).days
            values = {
                'days_in_stock': days,
                'aging': cls._aging_bucket(days),
                }
            for name in names:
                result[name][vehicle.id] = values[name]
        return result

    @staticmethod
    def _aging_bucket(days):
        if days is None:
            return None
        for bucket, (low, high) in AGING_LIMITS.items():
            if days >= low and (high is None or days <= high):
                return bucket
        return '0-30'

    @classmethod
    def search_days_in_stock(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        _, operator, value = clause[:3]
        today = Date.today()
        if value is None:
            return [('receipt_date', operator, None)]
        # More days in stock means an earlier receipt date
        if operator in {'in', 'not in'}:
            dates = [today - dt.timedelta(days=int(v)) for v in value]
            return [('receipt_date', operator, dates)]
        reverse = {
            '=': '=', '!=': '!=', '>': '<', '>=': '<=', '<': '>', '<=': '>=',
            }
        return [('receipt_date', reverse[operator],
                today - dt.timedelta(days=int(value)))]

    @classmethod
    def search_aging(cls, name, clause):
        _, operator, value = clause[:3]
        if operator in {'=', '!='}:
            values = [value]
        elif operator in {'in', 'not in'}:
            values = list(value)
        else:
            return []
        domain = ['OR']
        for bucket in values:
            if bucket is None:
                domain.append(('days_in_stock', '=', None))
                continue
            low, high = AGING_LIMITS[bucket]
            bucket_domain = [('days_in_stock', '>=', low)]
            if high is not None:
                bucket_domain.append(('days_in_stock', '<=', high))
            domain.append(bucket_domain)
        if operator in {'!=', 'not in'}:
            return ['OR',
                ('days_in_stock', '=', None),
                ('id', 'not in', cls.search(domain, order=[], query=True)),
                ]
        return domain

    @classmethod
    def get_units(cls, vehicles, name):
        return dict.fromkeys(map(int, vehicles), 1)

    @classmethod
    def get_variant_field(cls, vehicles, name):
        return {
            v.id: getattr(v.variant, name) if v.variant else None
            for v in vehicles}

    @classmethod
    def search_variant_field(cls, name, clause):
        return [('variant.' + clause[0], *clause[1:])]

    @classmethod
    def check_pdi(cls, vehicles):
        """Refuse delivering vehicles without a PDI passed since they last
        entered the stock, or of any date when never received"""
        pool = Pool()
        PDI = pool.get('dms.vehicle.pdi')
        Lang = pool.get('ir.lang')
        Lot = pool.get('stock.lot')
        receipts = Lot.last_receipt_dates([v.lot for v in vehicles if v.lot])
        last_passed = {}
        # Every rooftop's inspections count, not only the user's
        with without_check_access():
            for pdi in PDI.search([
                        ('vehicle', 'in', [v.id for v in vehicles]),
                        ('state', '=', 'passed'),
                        ], order=[('date', 'ASC')]):
                last_passed[pdi.vehicle.id] = pdi.date
        for vehicle in vehicles:
            receipt = receipts.get(vehicle.lot.id) if vehicle.lot else None
            passed = last_passed.get(vehicle.id)
            if receipt is None and passed is None:
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_deliver_pdi',
                        vehicle=vehicle.rec_name))
            elif receipt is not None and (passed is None or passed < receipt):
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_deliver_pdi_since',
                        vehicle=vehicle.rec_name,
                        date=Lang.get().strftime(receipt)))

    @classmethod
    def get_cover(cls, vehicles, name):
        pool = Pool()
        Photo = pool.get('dms.vehicle.photo')
        result = dict.fromkeys(map(int, vehicles))
        photos = Photo.search([
                ('vehicle', 'in', [v.id for v in vehicles]),
                ], order=[('vehicle', 'ASC'), ('cover', 'DESC'),
                ('sequence', 'ASC NULLS LAST'), ('id', 'ASC')])
        for photo in photos:
            if result.get(photo.vehicle.id) is None:
                result[photo.vehicle.id] = photo.get(THUMBNAIL_SIZE)
        return result

    @classmethod
    def check_holder(cls, vehicles, action):
        """Refuse the action (a button name) on the vehicles that a rooftop
        holds whose staff the user is not: the others see the group's stock
        and ask the holding rooftop for a transfer"""
        pool = Pool()
        User = pool.get('res.user')
        Button = pool.get('ir.model.button')
        if not Transaction().user:
            return
        companies = set(User.get_companies())
        for vehicle in vehicles:
            if (vehicle.holding_company
                    and vehicle.holding_company.id not in companies):
                buttons = Button.search([
                        ('model', '=', cls.__name__),
                        ('name', '=', action),
                        ], limit=1)
                raise AccessError(gettext(
                        'dms_vehicle.msg_vehicle_other_rooftop',
                        vehicle=vehicle.rec_name,
                        company=vehicle.holding_company.rec_name,
                        action=buttons[0].string if buttons else action))

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, vehicles):
        "Hold the vehicles for a customer until a date, for a reason"
        pool = Pool()
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        cls.check_holder(vehicles, 'hold')
        today = Date.today()
        for vehicle in vehicles:
            if not (vehicle.hold_party and vehicle.hold_reason
                    and vehicle.hold_until):
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_hold_missing',
                        vehicle=vehicle.rec_name))
            if vehicle.hold_until < today:
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_hold_past',
                        vehicle=vehicle.rec_name,
                        date=Lang.get().strftime(vehicle.hold_until)))

    @classmethod
    @ModelView.button
    @Workflow.transition('available')
    def release(cls, vehicles):
        cls.check_holder(vehicles, 'release')
        cls._clear_hold(vehicles)

    @classmethod
    def _clear_hold(cls, vehicles):
        cls.write(vehicles, {
                'hold_party': None,
                'hold_reason': None,
                'hold_until': None,
                })

    @classmethod
    def release_expired_holds(cls):
        "Release the holds whose last day has passed; run by the scheduler"
        pool = Pool()
        Date = pool.get('ir.date')
        vehicles = cls.search([
                ('state', '=', 'held'),
                ('hold_until', '<', Date.today()),
                ], order=[])
        cls.release(vehicles)

    @classmethod
    @ModelView.button
    @Workflow.transition('sold')
    def sell(cls, vehicles):
        cls.check_holder(vehicles, 'sell')

    @classmethod
    @ModelView.button
    @Workflow.transition('available')
    def cancel_sale(cls, vehicles):
        cls.check_holder(vehicles, 'cancel_sale')
        for vehicle in vehicles:
            if vehicle.stock_state == 'delivered':
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_cancel_sale_delivered',
                        vehicle=vehicle.rec_name))
        cls._clear_hold(vehicles)

    @classmethod
    @ModelView.button
    def deliver(cls, vehicles):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.check_holder(vehicles, 'deliver')
        for vehicle in vehicles:
            if vehicle.state != 'sold':
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_deliver_not_sold',
                        vehicle=vehicle.rec_name))
            # In transit: check_deliverable says it must arrive first
            if vehicle.stock_state not in {'in_stock', 'in_transit'}:
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_deliver_not_in_stock',
                        vehicle=vehicle.rec_name,
                        stock_state=vehicle.stock_state_string))
        shipment.check_deliverable(vehicles)
        cls.check_pdi(vehicles)
        shipment.deliver(vehicles, Date.today())

    def _delivery_price(self):
        "The price the delivery move carries: the asking price"
        company = self.holding_company
        if (self.asking_price is not None
                and self.currency == company.currency):
            return self.asking_price
        return 0

    @classmethod
    @ModelView.button
    @Workflow.transition('customer')
    def to_customer(cls, vehicles):
        "Keep vehicles the group never held as its customers' own"
        for vehicle in vehicles:
            if vehicle.stock_state != 'none':
                raise VehicleStateError(gettext(
                        'dms_vehicle.msg_vehicle_to_customer_stock',
                        vehicle=vehicle.rec_name,
                        stock_state=vehicle.stock_state_string))

    @classmethod
    @Workflow.transition('available')
    def trade_in(cls, vehicles):
        "Make the vehicles received back from their owner available, used"
        cls.write([v for v in vehicles if v.usage == 'new'], {
                'usage': 'used',
                })

    @classmethod
    @Workflow.transition('scrapped')
    def write_off(cls, vehicles, date, reason, dismantler, certificate):
        "Record the scrapping of the vehicles, which the scrap wizard did"
        cls.write(vehicles, {
                'scrap_date': date,
                'scrap_reason': reason,
                'dismantler': dismantler.id,
                'destruction_certificate': certificate.id,
                })

    @classmethod
    @ModelView.button_action('dms_vehicle.wizard_vehicle_receive')
    def receive(cls, vehicles):
        pass

    @classmethod
    @ModelView.button_action('dms_vehicle.wizard_vehicle_transfer')
    def transfer(cls, vehicles):
        pass

    @classmethod
    @ModelView.button_action('dms_vehicle.wizard_vehicle_scrap')
    def scrap(cls, vehicles):
        pass

    @classmethod
    def copy(cls, vehicles, default=None):
        default = default.copy() if default is not None else {}
        for name in ['lot', 'plates', 'owners', 'mileages', 'pdis',
                'bookings', 'documents', 'scrap_date', 'scrap_reason',
                'dismantler', 'destruction_certificate',
                'holding_company', 'location', 'receipt_date',
                'hold_party', 'hold_reason', 'hold_until']:
            default.setdefault(name, None)
        default.setdefault('state', cls.default_state())
        default.setdefault('stock_state', cls.default_stock_state())
        default.setdefault('on_hand', False)
        return super().copy(vehicles, default=default)


class VehiclePlate(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.vehicle.plate'
    __string__ = "Vehicle Registration Plate"

    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='CASCADE')
    plate = fields.Char("Plate", size=20, required=True, strip=True)
    date = fields.Date("Date", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('vehicle')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.vehicle, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]


class VehicleOwner(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.vehicle.owner'
    __string__ = "Vehicle Owner"

    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='CASCADE')
    owner = fields.Many2One(
        'party.party', "Owner", required=True, ondelete='RESTRICT')
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date("End Date")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('vehicle')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.vehicle, Index.Range())),
                Index(t, (t.owner, Index.Range())),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
