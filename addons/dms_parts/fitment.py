# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Null
from sql.operators import Or

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction


class Fitment(ModelSQL, ModelView):
    __name__ = 'dms.part.fitment'
    __string__ = "Part Fitment"

    template = fields.Many2One(
        'product.template', "Part", required=True, ondelete='CASCADE',
        domain=[
            ('part', '=', True),
            ])
    make = fields.Many2One(
        'dms.vehicle.make', "Make", required=True, ondelete='CASCADE')
    model = fields.Many2One(
        'dms.vehicle.model', "Model", ondelete='CASCADE',
        domain=[
            ('make', '=', Eval('make', -1)),
            ],
        help="Leave empty when the part fits every model of the make.")
    variant = fields.Many2One(
        'dms.vehicle.variant', "Variant", ondelete='CASCADE',
        domain=[
            If(Eval('model'),
                ('model', '=', Eval('model', -1)),
                ('model.make', '=', Eval('make', -1))),
            ],
        states={
            'invisible': ~Eval('model'),
            },
        help="Leave empty when the part fits every variant of the model.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('template')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.variant, Index.Equality())),
                Index(t, (t.model, Index.Equality())),
                Index(t, (t.make, Index.Equality())),
                })

    @fields.depends('model', 'make')
    def on_change_model(self):
        if self.model:
            self.make = self.model.make

    @fields.depends('variant', 'model', 'make')
    def on_change_variant(self):
        if self.variant:
            self.model = self.variant.model
            self.make = self.variant.model.make

    def get_rec_name(self, name):
        return (self.variant or self.model or self.make).rec_name


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    fits_vehicle = fields.Function(fields.Many2One(
            'dms.vehicle', "Fits Vehicle"),
        'get_fits_vehicle', searcher='search_fits_vehicle')

    def get_fits_vehicle(self, name):
        return None

    @classmethod
    def search_fits_vehicle(cls, name, clause):
        "Find the parts that fit the vehicles: by variant, model or make"
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Fitment = pool.get('dms.part.fitment')
        _, operator, value, *extra = clause
        vehicles = Vehicle.search(
            [('id', operator, value)] if isinstance(value, (int, list))
            else [('rec_name', operator, value)], order=[])
        if not vehicles:
            return [('id', '=', None)]
        fitment = Fitment.__table__()
        conditions = []
        for vehicle in vehicles:
            variant = vehicle.variant
            model = vehicle.model or (variant and variant.model)
            make = vehicle.make or (model and model.make)
            if variant:
                conditions.append(fitment.variant == variant.id)
            if model:
                conditions.append((fitment.model == model.id)
                    & (fitment.variant == Null))
            if make:
                conditions.append((fitment.make == make.id)
                    & (fitment.model == Null))
        if not conditions:
            return [('id', '=', None)]
        cursor = Transaction().connection.cursor()
        cursor.execute(*fitment.select(
                fitment.template, where=Or(conditions)))
        return [('id', 'in', list({i for i, in cursor}))]
