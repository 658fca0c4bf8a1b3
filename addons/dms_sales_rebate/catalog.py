# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal, Null

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Variant(metaclass=PoolMeta):
    __name__ = 'dms.vehicle.variant'

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        product = Product.__table__()
        template = Template.__table__()
        super().__register__(module)
        if module != 'dms_sales_rebate':
            return
        # The variants' products from before the module become salable
        cursor.execute(*template.update(
                [template.salable, template.sale_uom],
                [True, template.default_uom],
                where=template.id.in_(table
                    .join(product, condition=table.product == product.id)
                    .select(product.template))
                & ((template.salable == Null)
                    | (template.salable == Literal(False)))))

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
