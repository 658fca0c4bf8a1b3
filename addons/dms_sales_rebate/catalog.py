# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Variant(metaclass=PoolMeta):
    __name__ = 'dms.vehicle.variant'

    @classmethod
    def _create_products(cls, variants):
        "Make the variants' products salable on deals, in the deal category"
        pool = Pool()
        Template = pool.get('product.template')
        Configuration = pool.get('dms.configuration')
        new = [v for v in variants if not v.product]
        super()._create_products(variants)
        if not new:
            return
        category = Configuration(1).deal_vehicle_category
        templates = [v.product.template for v in cls.browse(new)]
        values = {
            'salable': True,
            'sale_uom': templates[0].default_uom.id,
            }
        if category:
            values['account_category'] = category.id
        Template.write(templates, values)
