# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Cast, Literal, Null, Union, Window, With
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc, Extract

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

# Where parts go when they are issued: to a customer over the counter, to
# production when the workshop uses them
ISSUE_TYPES = ('customer', 'production')
PURCHASE_STATES = ('confirmed', 'processing', 'done')
# The days without issue from which a part on hand counts as aged
AGES = (180, 365)


def warehouse_locations():
    "Return a query of each location of a warehouse with its warehouse"
    Location = Pool().get('stock.location')
    location = Location.__table__()
    warehouse = Location.__table__()
    return location.join(warehouse,
        condition=(warehouse.type == 'warehouse')
        & (location.left >= warehouse.left)
        & (location.right <= warehouse.right)
        ).select(
            location.id.as_('location'),
            location.type.as_('type'),
            warehouse.id.as_('warehouse'))


def parts():
    "Return a query of the ids of the products that are parts"
    pool = Pool()
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    product = Product.__table__()
    template = Template.__table__()
    return product.join(template,
        condition=product.template == template.id
        ).select(product.id, where=template.part == Literal(True))


def part_moves(valued=True):
    """Return the done moves of parts: the tables, the move table, each
    move's value (at its cost price, or else the part's cost price of the
    company) when valued, and the condition"""
    pool = Pool()
    Move = pool.get('stock.move')
    CostPrice = pool.get('product.cost_price')
    move = Move.__table__()
    cost = CostPrice.__table__()
    tables = move
    value = None
    if valued:
        tables = tables.join(cost, 'LEFT',
            condition=(cost.product == move.product)
            & (cost.company == move.company))
        value = move.internal_quantity * Coalesce(
            move.cost_price, cost.cost_price, 0)
    where = (move.state == 'done') & move.product.in_(parts())
    return tables, move, value, where


def days_in_month(month):
    year = Extract('YEAR', month)
    leap = ((year % 4) == 0) & (((year % 100) != 0) | ((year % 400) == 0))
    number = Extract('MONTH', month)
    return Case(
        (number == 2, Case((leap, 29), else_=28)),
        (number.in_([4, 6, 9, 11]), 30),
        else_=31)


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
    first_time_fill = fields.Float("First-Time Fill", digits=(1, 4),
        help="The share of the demand lines served from stock when asked: "
        "the issue lines (stock moves) shipped no later than planned, over "
        "the issue lines and the lost sales; lines are counted, not "
        "quantities.")

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
        move = Move.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        warehouse = Location.__table__()
        return (move
            .join(from_location,
                condition=move.from_location == from_location.id)
            .join(to_location, condition=move.to_location == to_location.id)
            .join(warehouse,
                condition=(warehouse.type == 'warehouse')
                & (from_location.left >= warehouse.left)
                & (from_location.right <= warehouse.right))
            .select(
                move.company.as_('company'),
                warehouse.id.as_('warehouse'),
                move.effective_date.as_('date'),
                Sum(move.internal_quantity).as_('issued'),
                Literal(0).as_('lost'),
                Literal(0).as_('emergency'),
                Literal(0).as_('lost_value'),
                Count(move.id).as_('lines'),
                # A line shipped later than planned waited for a backorder
                # or an emergency order
                Sum(Case((move.effective_date <= Coalesce(
                                move.planned_date, move.effective_date), 1),
                        else_=0)).as_('first_time'),
                where=(move.state == 'done')
                & move.product.in_(parts())
                & (from_location.type == 'storage')
                & to_location.type.in_(ISSUE_TYPES),
                # By day first: a million moves give a few thousand rows
                group_by=[move.company, warehouse.id, move.effective_date]))

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
                lost_sale.date.as_('date'),
                Literal(0).as_('issued'),
                lost_sale.quantity.as_('lost'),
                Literal(0).as_('emergency'),
                (lost_sale.quantity * Coalesce(list_price.list_price, 0)
                    ).as_('lost_value'),
                Literal(1).as_('lines'),
                Literal(0).as_('first_time')))

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
                purchase.purchase_date.as_('date'),
                Literal(0).as_('issued'),
                Literal(0).as_('lost'),
                (line.quantity * unit.factor / default_unit.factor
                    ).as_('emergency'),
                Literal(0).as_('lost_value'),
                Literal(0).as_('lines'),
                Literal(0).as_('first_time'),
                where=(purchase.part_order_type == 'emergency')
                & purchase.state.in_(PURCHASE_STATES)
                & (template.part == Literal(True))
                & (line.type == 'line')))

    @classmethod
    def table_query(cls):
        union = Union(cls._issued(), cls._lost(), cls._emergency(), all_=True)
        union = union.select(
            union.company, union.warehouse,
            cls._month(union.date).as_('month'),
            union.issued, union.lost, union.emergency, union.lost_value,
            union.lines, union.first_time,
            where=union.date != Null)
        issued = Sum(union.issued)
        lost = Sum(union.lost)
        emergency = Sum(union.emergency)
        demand = issued + lost
        lines = Sum(union.lines)
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
            Case(
                (lines > 0, cls.first_time_fill.sql_cast(
                        Sum(union.first_time)) / lines),
                else_=Null).as_('first_time_fill'),
            group_by=[union.company, union.warehouse, union.month])


class KPIStock(ModelSQL, ModelView):
    "Cost of issues, stock value, stock turn and days' supply per month"
    __name__ = 'dms.part.kpi.stock'
    __string__ = "Parts Stock KPIs by Month"

    company = fields.Many2One('company.company', "Company")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    month = fields.Date("Month")
    issue_cost = fields.Numeric("Cost of Issues", digits=(16, 2),
        help="The parts issued to customers and the workshop in the month "
        "at the cost price of their moves (or else the part's cost price).")
    stock_value = fields.Numeric("Stock Value", digits=(16, 2),
        help="The value of the parts in the warehouse at the end of the "
        "month: every receipt into the warehouse less every move out of "
        "it since the start, at the moves' cost prices.")
    stock_turn = fields.Float("Stock Turn", digits=(16, 2),
        help="How many times a year the stock is turned over: the cost of "
        "issues times 12, over the stock value at the end of the month.")
    days_supply = fields.Float("Days' Supply", digits=(16, 1),
        help="How many days the stock lasts: the stock value at the end of "
        "the month over the cost of issues per day of the month.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('warehouse', 'ASC'), ('id', 'DESC')]

    @classmethod
    def _moves(cls):
        "The value of the done moves of parts by locations and day"
        tables, move, value, where = part_moves()
        return tables.select(
            move.company.as_('company'),
            move.from_location.as_('from_location'),
            move.to_location.as_('to_location'),
            move.effective_date.as_('date'),
            Sum(value).as_('value'),
            where=where,
            group_by=[
                move.company, move.from_location, move.to_location,
                move.effective_date])

    @classmethod
    def table_query(cls):
        Location = Pool().get('stock.location')
        moves = With(query=cls._moves())
        # Moves inside a warehouse change nothing of its stock value
        from_, to = warehouse_locations(), warehouse_locations()
        incoming = (moves
            .join(to, condition=moves.to_location == to.location)
            .join(from_, 'LEFT',
                condition=(moves.from_location == from_.location)
                & (from_.warehouse == to.warehouse))
            .select(
                moves.company, to.warehouse.as_('warehouse'),
                KPIMonth._month(moves.date).as_('month'),
                moves.value.as_('change'),
                Literal(0).as_('issue_cost'),
                where=from_.location == Null))
        from_, to = warehouse_locations(), warehouse_locations()
        to_location = Location.__table__()
        outgoing = (moves
            .join(from_, condition=moves.from_location == from_.location)
            .join(to_location, condition=moves.to_location == to_location.id)
            .join(to, 'LEFT',
                condition=(moves.to_location == to.location)
                & (to.warehouse == from_.warehouse))
            .select(
                moves.company, from_.warehouse.as_('warehouse'),
                KPIMonth._month(moves.date).as_('month'),
                (-moves.value).as_('change'),
                Case(
                    ((from_.type == 'storage')
                        & to_location.type.in_(ISSUE_TYPES), moves.value),
                    else_=0).as_('issue_cost'),
                where=to.location == Null))
        union = Union(incoming, outgoing, all_=True)
        monthly = union.select(
            union.company, union.warehouse, union.month,
            Sum(union.change).as_('change'),
            Sum(union.issue_cost).as_('issue_cost'),
            where=union.month != Null,
            group_by=[union.company, union.warehouse, union.month])
        stock = monthly.select(
            monthly.company, monthly.warehouse, monthly.month,
            monthly.issue_cost,
            Sum(monthly.change, window=Window(
                    [monthly.company, monthly.warehouse],
                    order_by=[monthly.month.asc])).as_('stock_value'))
        year = Extract('YEAR', stock.month)
        month = Extract('MONTH', stock.month)
        issue_cost = cls.stock_turn.sql_cast(stock.issue_cost)
        stock_value = cls.stock_turn.sql_cast(stock.stock_value)
        return stock.select(
            Cast((year * 100 + month) * 10000 + stock.warehouse,
                cls.id.sql_type().base).as_('id'),
            stock.company.as_('company'),
            stock.warehouse.as_('warehouse'),
            stock.month.as_('month'),
            cls.issue_cost.sql_cast(stock.issue_cost).as_('issue_cost'),
            cls.stock_value.sql_cast(stock.stock_value).as_('stock_value'),
            Case((stock_value != 0, issue_cost * 12 / stock_value),
                else_=Null).as_('stock_turn'),
            Case(
                (issue_cost != 0,
                    stock_value * days_in_month(stock.month) / issue_cost),
                else_=Null).as_('days_supply'),
            with_=[moves])


class KPIAged(ModelSQL, ModelView):
    "Parts on hand without issue for 180 or 365 days"
    __name__ = 'dms.part.kpi.aged'
    __string__ = "Aged Parts Stock"

    company = fields.Many2One('company.company', "Company")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    product = fields.Many2One('product.product', "Part",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    quantity = fields.Float("Quantity", digits=(16, 2),
        help="The quantity on hand in the warehouse.")
    value = fields.Numeric("Value", digits=(16, 2),
        help="The quantity on hand at the part's cost price.")
    date = fields.Date("Last Issue",
        help="The date the part was last issued from the warehouse, or "
        "received if it was never issued.")
    days = fields.Function(fields.Integer("Days",
            help="The days since the last issue."),
        'get_days')
    age = fields.Selection([
            ('180', "No issue for 180 days"),
            ('365', "No issue for 365 days"),
            ], "Age")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _moves(cls):
        "The quantities of the done moves of parts by locations"
        tables, move, _, where = part_moves(valued=False)
        return tables.select(
            move.company.as_('company'),
            move.product.as_('product'),
            move.from_location.as_('from_location'),
            move.to_location.as_('to_location'),
            Sum(move.internal_quantity).as_('quantity'),
            Min(move.effective_date).as_('first'),
            Max(move.effective_date).as_('last'),
            Min(move.id).as_('move'),
            where=where,
            group_by=[
                move.company, move.product, move.from_location,
                move.to_location])

    @classmethod
    def table_query(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        Location = pool.get('stock.location')
        CostPrice = pool.get('product.cost_price')
        today = Date.today()
        moves = With(query=cls._moves())
        no_date = Cast(Literal(None), cls.date.sql_type().base)
        # A move is counted on each side it crosses a warehouse's border,
        # so twice its id and a side give a row's id
        from_, to = warehouse_locations(), warehouse_locations()
        incoming = (moves
            .join(to, condition=moves.to_location == to.location)
            .join(from_, 'LEFT',
                condition=(moves.from_location == from_.location)
                & (from_.warehouse == to.warehouse))
            .select(
                moves.company, to.warehouse.as_('warehouse'), moves.product,
                moves.quantity,
                moves.first.as_('received'),
                no_date.as_('issued'),
                (moves.move * 2).as_('id'),
                where=from_.location == Null))
        from_, to = warehouse_locations(), warehouse_locations()
        to_location = Location.__table__()
        outgoing = (moves
            .join(from_, condition=moves.from_location == from_.location)
            .join(to_location, condition=moves.to_location == to_location.id)
            .join(to, 'LEFT',
                condition=(moves.to_location == to.location)
                & (to.warehouse == from_.warehouse))
            .select(
                moves.company, from_.warehouse.as_('warehouse'),
                moves.product,
                (-moves.quantity).as_('quantity'),
                no_date.as_('received'),
                Case(
                    ((from_.type == 'storage')
                        & to_location.type.in_(ISSUE_TYPES), moves.last),
                    else_=Null).as_('issued'),
                (moves.move * 2 + 1).as_('id'),
                where=to.location == Null))
        union = Union(incoming, outgoing, all_=True)
        stock = union.select(
            Min(union.id).as_('id'),
            union.company, union.warehouse, union.product,
            Sum(union.quantity).as_('quantity'),
            Coalesce(Max(union.issued), Min(union.received)).as_('date'),
            group_by=[union.company, union.warehouse, union.product])
        cost = CostPrice.__table__()
        date = cls.date.sql_cast(stock.date)
        ages = [today - dt.timedelta(days=d) for d in AGES]
        return (stock
            .join(cost, 'LEFT',
                condition=(cost.product == stock.product)
                & (cost.company == stock.company))
            .select(
                Cast(stock.id, cls.id.sql_type().base).as_('id'),
                stock.company.as_('company'),
                stock.warehouse.as_('warehouse'),
                stock.product.as_('product'),
                stock.quantity.as_('quantity'),
                cls.value.sql_cast(
                    stock.quantity * Coalesce(cost.cost_price, 0)
                    ).as_('value'),
                date.as_('date'),
                Case((date <= ages[1], str(AGES[1])),
                    else_=str(AGES[0])).as_('age'),
                where=(stock.quantity > 0) & (date <= ages[0]),
                with_=[moves]))

    def get_days(self, name):
        Date = Pool().get('ir.date')
        if self.date:
            return (Date.today() - self.date).days
