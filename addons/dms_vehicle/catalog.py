# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

from sql.functions import Lower
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelView, fields,
    sequence_ordered)
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool
from trytond.transaction import Transaction

FUEL_TYPES = [
    ('petrol', "Petrol"),
    ('diesel', "Diesel"),
    ('hybrid', "Hybrid"),
    ('plugin_hybrid', "Plug-in Hybrid"),
    ('electric', "Electric"),
    ('lpg', "LPG"),
    ('cng', "CNG"),
    ('hydrogen', "Hydrogen"),
    ]
TRANSMISSIONS = [
    (None, ""),
    ('manual', "Manual"),
    ('automatic', "Automatic"),
    ('dual_clutch', "Dual-Clutch"),
    ('cvt', "CVT"),
    ('single_speed', "Single-Speed"),
    ]
BODY_TYPES = [
    (None, ""),
    ('hatchback', "Hatchback"),
    ('sedan', "Sedan"),
    ('estate', "Estate"),
    ('suv', "SUV"),
    ('coupe', "Coupé"),
    ('convertible', "Convertible"),
    ('mpv', "MPV"),
    ('van', "Van"),
    ('pickup', "Pick-up"),
    ]
# A vehicle's lot is required wherever it moves
LOT_REQUIRED = ['supplier', 'customer', 'lost_found', 'storage', 'production']


class Make(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.vehicle.make'
    __string__ = "Vehicle Make"

    name = fields.Char("Name", size=100, required=True, translate=False)
    code = fields.Char("Code", size=20, strip=True)
    manufacturer = fields.Char(
        "Manufacturer", size=100,
        help="The manufacturer name that VIN decoding returns for this "
        "make, when it differs from the make's name.")
    supplier = fields.Many2One(
        'party.party', "Supplier", ondelete='RESTRICT',
        help="Who the group buys new vehicles of the make from, "
        "for example the importer; proposed when receiving them.")
    models = fields.One2Many('dms.vehicle.model', 'make', "Models")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_unique', Exclude(t, (Lower(t.name), Equal)),
                'dms_vehicle.msg_make_name_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def on_modification(cls, mode, makes, field_names=None):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        super().on_modification(mode, makes, field_names=field_names)
        Vehicle._make_cache.clear()
        Vehicle._variant_cache.clear()


class Model(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.vehicle.model'
    __string__ = "Vehicle Model"

    make = fields.Many2One(
        'dms.vehicle.make', "Make", required=True, ondelete='CASCADE')
    name = fields.Char("Name", size=100, required=True)
    code = fields.Char("Code", size=20, strip=True)
    variants = fields.One2Many('dms.vehicle.variant', 'model', "Variants")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_unique',
                Exclude(t, (t.make, Equal), (Lower(t.name), Equal)),
                'dms_vehicle.msg_model_name_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def on_modification(cls, mode, models, field_names=None):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        super().on_modification(mode, models, field_names=field_names)
        if mode != 'create':
            Vehicle._variant_cache.clear()

    def get_rec_name(self, name):
        return f'{self.make.rec_name} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
            'name',
            'make.name',
            ])


class Variant(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.vehicle.variant'
    __string__ = "Vehicle Variant"

    model = fields.Many2One(
        'dms.vehicle.model', "Model", required=True, ondelete='CASCADE')
    make = fields.Function(
        fields.Many2One('dms.vehicle.make', "Make"),
        'on_change_with_make', searcher='search_make')
    name = fields.Char(
        "Trim", size=100, required=True,
        help="The trim or equipment line.")
    engine = fields.Char(
        "Engine", size=100, help="For example 2.0 TDI or 150 kW.")
    fuel_type = fields.Selection(FUEL_TYPES, "Fuel Type", required=True)
    transmission = fields.Selection(TRANSMISSIONS, "Transmission")
    body_type = fields.Selection(BODY_TYPES, "Body Type")
    power = fields.Integer(
        "Power (kW)",
        domain=['OR', ('power', '=', None), ('power', '>', 0)])
    list_price = Monetary(
        "List Price", currency='currency', digits='currency',
        domain=['OR', ('list_price', '=', None), ('list_price', '>=', 0)],
        help="The manufacturer's recommended retail price.")
    currency = fields.Many2One('currency.currency', "Currency", required=True)
    product = fields.Many2One(
        'product.product', "Product", readonly=True, ondelete='RESTRICT',
        help="The goods product of which each vehicle is a stock lot "
        "(created with the variant).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('product_unique', Exclude(t, (t.product, Equal),
                    where=t.product != None),  # noqa: E711
                'dms_vehicle.msg_variant_product_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.model, Index.Range())))

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            return Company(company_id).currency.id

    @classmethod
    def default_fuel_type(cls):
        return 'petrol'

    @fields.depends('model', '_parent_model.make')
    def on_change_with_make(self, name=None):
        return self.model.make if self.model else None

    @classmethod
    def search_make(cls, name, clause):
        return [('model.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.model.rec_name} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
            'name',
            'model.rec_name',
            'engine',
            ])

    @classmethod
    def copy(cls, variants, default=None):
        default = default.copy() if default is not None else {}
        # a copy is a new variant with a product of its own
        default.setdefault('product')
        return super().copy(variants, default=default)

    @classmethod
    def _create_products(cls, variants):
        "Create the lot-tracked goods product of each new variant"
        pool = Pool()
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        ModelData = pool.get('ir.model.data')
        unit = Uom(ModelData.get_id('product', 'uom_unit'))
        variants = [v for v in variants if not v.product]
        if not variants:
            return
        templates = Template.create([{
                    'name': v.rec_name,
                    'type': 'goods',
                    'default_uom': unit.id,
                    'lot_required': LOT_REQUIRED,
                    'list_price': v.list_price,
                    'products': [('create', [{}])],
                    } for v in variants])
        args = []
        for variant, template in zip(variants, templates):
            args.extend(([variant], {'product': template.products[0].id}))
        cls.write(*args)

    @classmethod
    def on_modification(cls, mode, variants, field_names=None):
        pool = Pool()
        Template = pool.get('product.template')
        Vehicle = pool.get('dms.vehicle')
        super().on_modification(mode, variants, field_names=field_names)
        if mode == 'create':
            cls._create_products(variants)
        else:
            Vehicle._variant_cache.clear()
        if mode == 'write' and field_names & {'name', 'model', 'list_price'}:
            # One write per distinct name and price, not one per variant
            templates = defaultdict(list)
            for variant in variants:
                if variant.product:
                    key = (variant.rec_name, variant.list_price)
                    templates[key].append(variant.product.template)
            args = []
            for (name, list_price), sub_templates in templates.items():
                args.extend((sub_templates, {
                            'name': name,
                            'list_price': list_price,
                            }))
            if args:
                Template.write(*args)

    @classmethod
    def check_modification(cls, mode, variants, values=None, external=False):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        super().check_modification(
            mode, variants, values=values, external=external)
        if mode == 'delete':
            vehicles = Vehicle.search([
                    ('variant', 'in', [v.id for v in variants]),
                    ], limit=1, order=[])
            if vehicles:
                vehicle, = vehicles
                raise AccessError(gettext(
                        'dms_vehicle.msg_variant_delete_vehicle',
                        variant=vehicle.variant.rec_name,
                        vehicle=vehicle.rec_name))
