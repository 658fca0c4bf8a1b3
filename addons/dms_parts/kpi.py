# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Cast, Literal, Null, Union
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc, Extract


from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

# Where parts go when they are issued: to a customer over the counter, to
# production when the workshop uses them
ISSUE_TYPES = ('customer', 'production')
PURCHASE_STATES = ('confirmed', 'processing', 'done')


class KPIMonth(ModelSQL, ModelView):
    "Demand, lost sales, emergency orders and fill rate per month"
    __name__ = 'dms.part.kpi.month'
    __string__ = "Parts KPIs by Month"

    company = fields.Many2One('company.company', "Company")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    month = fields.Date("Month")
    issued = fields.Float("Issued", digits=(16, 2),
        help="The quantity of parts issued from stock to customers and the "
        "workshop.")
    lost = fields.Float("Lost", digits=(16, 2),
        help="The quantity asked for and not sold.")
    emergency = fields.Float("Emergency Ordered", digits=(16, 2),
        help="The quantity ordered from the manufacturer by emergency "
        "orders.")
    demand = fields.Float("Demand", digits=(16, 2),
        help="Issued and lost quantities.")
    fill_rate = fields.Float("Fill Rate", digits=(1, 4),
        help="The share of the demand served from stock: demand less lost "
        "and emergency-ordered quantities, over demand.")
    lost_value = fields.Numeric("Lost Sales Value", digits=(16, 2),
        help="The lost quantities at the parts' list prices.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('warehouse', 'ASC'), ('id', 'DESC')]

    @classmethod
    def _month(cls, date):
        return cls.month.sql_cast(DateTrunc('month', date))

    @classmethod
    def _issued(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        move = Move.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        warehouse = Location.__table__()
        product = Product.__table__()
        template = Template.__table__()
        return (move
            .join(from_location,
                condition=move.from_location == from_location.id)
            .join(to_location, condition=move.to_location == to_location.id)
            .join(warehouse,
                condition=(warehouse.type == 'warehouse')
                & (from_location.left >= warehouse.left)
                & (from_location.right <= warehouse.right))
            .join(product, condition=move.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(
                move.company.as_('company'),
                warehouse.id.as_('warehouse'),
                cls._month(move.effective_date).as_('month'),
                move.internal_quantity.as_('issued'),
                Literal(0).as_('lost'),
                Literal(0).as_('emergency'),
                Literal(0).as_('lost_value'),
                where=(move.state == 'done')
                & (template.part == Literal(True))
                & (from_location.type == 'storage')
                & to_location.type.in_(ISSUE_TYPES)))

    @classmethod
    def _lost(cls):
        pool = Pool()
        LostSale = pool.get('dms.part.lost_sale')
        Product = pool.get('product.product')
        ListPrice = pool.get('product.list_price')
        lost_sale = LostSale.__table__()
        product = Product.__table__()
        list_price = ListPrice.__table__()
        return (lost_sale
            .join(product, condition=lost_sale.product == product.id)
            .join(list_price, 'LEFT',
                condition=(list_price.template == product.template)
                & (list_price.company == lost_sale.company))
            .select(
                lost_sale.company.as_('company'),
                lost_sale.warehouse.as_('warehouse'),
                cls._month(lost_sale.date).as_('month'),
                Literal(0).as_('issued'),
                lost_sale.quantity.as_('lost'),
                Literal(0).as_('emergency'),
                (lost_sale.quantity * Coalesce(list_price.list_price, 0)
                    ).as_('lost_value')))

    @classmethod
    def _emergency(cls):
        pool = Pool()
        Purchase = pool.get('purchase.purchase')
        Line = pool.get('purchase.line')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        purchase = Purchase.__table__()
        line = Line.__table__()
        product = Product.__table__()
        template = Template.__table__()
        unit = Uom.__table__()
        default_unit = Uom.__table__()
        return (line
            .join(purchase, condition=line.purchase == purchase.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(unit, condition=line.unit == unit.id)
            .join(default_unit, condition=template.default_uom
                == default_unit.id)
            .select(
                purchase.company.as_('company'),
                purchase.warehouse.as_('warehouse'),
                cls._month(purchase.purchase_date).as_('month'),
                Literal(0).as_('issued'),
                Literal(0).as_('lost'),
                (line.quantity * unit.factor / default_unit.factor
                    ).as_('emergency'),
                Literal(0).as_('lost_value'),
                where=(purchase.part_order_type == 'emergency')
                & purchase.state.in_(PURCHASE_STATES)
                & (template.part == Literal(True))
                & (line.type == 'line')))

    @classmethod
    def table_query(cls):
        union = Union(cls._issued(), cls._lost(), cls._emergency(), all_=True)
        issued = Sum(union.issued)
        lost = Sum(union.lost)
        emergency = Sum(union.emergency)
        demand = issued + lost
        where = union.month != Null
        year = Extract('YEAR', union.month)
        month = Extract('MONTH', union.month)
        return union.select(
            Cast((year * 100 + month) * 10000 + union.warehouse,
                cls.id.sql_type().base).as_('id'),
            union.company.as_('company'),
            union.warehouse.as_('warehouse'),
            union.month.as_('month'),
            issued.as_('issued'),
            lost.as_('lost'),
            emergency.as_('emergency'),
            demand.as_('demand'),
            Case((demand > 0,
                    (demand - lost - emergency) / demand),
                else_=Null).as_('fill_rate'),
            cls.lost_value.sql_cast(Sum(union.lost_value)).as_('lost_value'),
            where=where,
            group_by=[union.company, union.warehouse, union.month])
