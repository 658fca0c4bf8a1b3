#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_workshop: the repair order cycle against a plain sale.

A repair order cycle is a walk-in customer's car from reception to the
posted invoice: a repair order made as the client makes it (defaults, the
vehicle with its on_change, then 3 labour lines priced from the
operation's time and the customer's rate and 3 parts lines priced from the
list price, each with its on_changes), checked in (a mileage reading into
the vehicle's history), the estimate sent (a revision, with no e-mail as
the customer has no address), approved at the desk, started, its parts
issued through a customer shipment done at once, through the quality check
to ready, and invoiced (the customer's invoice created and posted).  The
plain cycle sells the same 6 products (3 services, 3 goods) through the
platform's sale: created with its on_changes, quoted, confirmed and
processed, its shipment assigned, picked, packed and done, its invoice
posted.  Each click is a committed transaction of its own and the queued
tasks it leaves run after it (bench_parts_counter._click).

After WARMUP cycles of each kind, ROUNDS rounds of one cycle of each kind,
in turn first, are timed; the target applies to the ratio of the rates
(repair orders / plain sales) measured in the same process.  Setting up
the company, the workshop, the products, the stock and the vehicle is not
timed.  SQLite and, when TRYTOND_DATABASE_URI is a postgresql:// URI,
PostgreSQL, each in a child process as in bench_vehicle.py.
"""
import statistics
import sys
import time
from decimal import Decimal

from bench_parts_counter import _click
from bench_vehicle import _child, _write, drop_databases, run_backends

WARMUP = 5
ROUNDS = 40
STOCK = 100_000
TARGET_RATIO = 0.8
DATABASE = 'bench_workshop_cycle'
KINDS = ['plain', 'order']
OPERATIONS = [('0110', "Oil Service", 1.2), ('4601', "Front Brake Pads", 1.0),
    ('2810', "Diagnosis", 0.5)]
PARTS = [("Oil Filter", '18.50'), ("Brake Pad Set", '89.00'),
    ("Wiper Blade", '24.00')]


def run():
    return run_backends('bench_workshop_cycle', _bench_backend,
        lambda env: _child(
            'drop', env, 'bench_workshop_cycle_drop', __file__))


def _bench_backend(backend, env, note):
    result = _child('cycle', env, DATABASE, __file__)
    common = {
        'backend': backend,
        'database': note,
        'driver': result['driver'],
        'cycles': ROUNDS,
        'warmup': WARMUP,
        'lines': "3 labour + 3 parts",
        'cycle': "create (on_changes) → check in → send estimate → approve "
        "→ start → issue parts (shipment done) → quality check → ready → "
        "invoice posted; one committed transaction per click",
        }
    rates, medians, results = {}, {}, []
    for kind, label in [
            ('plain', "plain sale cycle rate (platform, 3 services + 3 "
                "goods)"),
            ('order', "repair order cycle rate (3 labour + 3 parts)")]:
        times = result['times'][kind]
        rates[kind] = len(times) / sum(times)
        per_cycle = [t * 1000 for t in times]
        medians[kind] = statistics.median(per_cycle)
        results.append({
                'name': label,
                'value': round(rates[kind], 2), 'unit': 'cycles/s',
                'seconds': round(sum(times), 2),
                'median_cycle_ms': round(medians[kind], 1),
                'min_cycle_ms': round(min(per_cycle), 1),
                'max_cycle_ms': round(max(per_cycle), 1),
                **common})
    ratio = rates['order'] / rates['plain']
    results.append({
            'name': "repair order cycle rate / plain sale cycle rate",
            'value': round(ratio, 3), 'unit': 'ratio',
            'target': f'>= {TARGET_RATIO}',
            'met': ratio >= TARGET_RATIO,
            'ratio_of_median_cycles': round(
                medians['plain'] / medians['order'], 3),
            **common})
    return results


def _activate():
    from trytond.pool import Pool
    from trytond.tests.test_tryton import activate_module
    activate_module('dms_workshop')
    Pool.test = False


def _setup():
    """Create the company with its accounting, the workshop, the products
    with their stock, the customer and the car; return the user's context
    and the ids the cycles need"""
    from trytond.modules.account.tests import create_chart, get_fiscalyear
    from trytond.modules.account_invoice.tests import set_invoice_sequences
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool

    pool = Pool()
    Account = pool.get('account.account')
    Category = pool.get('product.category')
    FiscalYear = pool.get('account.fiscalyear')
    Inventory = pool.get('stock.inventory')
    Location = pool.get('stock.location')
    Make = pool.get('dms.vehicle.make')
    ModelData = pool.get('ir.model.data')
    Operation = pool.get('dms.workshop.operation')
    Party = pool.get('party.party')
    Sequence = pool.get('ir.sequence')
    Template = pool.get('product.template')
    User = pool.get('res.user')
    Vehicle = pool.get('dms.vehicle')
    Workshop = pool.get('dms.workshop')

    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        create_chart(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(company))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        revenue, = Account.search([
                ('type.revenue', '=', True),
                ('company', '=', company.id),
                ('closed', '!=', True),
                ], limit=1)
        expense, = Account.search([
                ('type.expense', '=', True),
                ('company', '=', company.id),
                ('closed', '!=', True),
                ], limit=1)
        category, = Category.create([{
                    'name': "Labour and parts",
                    'accounting': True,
                    'account_revenue': revenue.id,
                    'account_expense': expense.id,
                    }])
        warehouse, = Location.search([('code', '=', 'WH')])
        warehouse.company = company
        warehouse.save()
        unit = ModelData.get_id('product', 'uom_unit')
        hour = ModelData.get_id('product', 'uom_hour')

        def templates(values):
            return Template.create([{
                        'salable': True,
                        'account_category': category.id,
                        'products': [('create', [{}])],
                        'sale_uom': v['default_uom'],
                        **v} for v in values])
        services = templates([{
                    'name': name, 'type': 'service',
                    'list_price': Decimal(120), 'default_uom': hour,
                    } for _, name, _ in OPERATIONS])
        parts = templates([{
                    'name': name, 'type': 'goods',
                    'list_price': Decimal(price), 'default_uom': unit,
                    } for name, price in PARTS])
        labour, = templates([{
                    'name': "Workshop Labour", 'type': 'service',
                    'list_price': Decimal(120), 'default_uom': hour,
                    }])
        sequence_type = ModelData.get_id(
            'dms_workshop', 'sequence_type_order')
        sequence, = Sequence.create([{
                    'name': "Repair Orders", 'prefix': 'RO',
                    'sequence_type': sequence_type,
                    'company': company.id,
                    }])
        Workshop.create([{
                    'company': company.id,
                    'name': "Service", 'code': 'S',
                    'warehouse': warehouse.id,
                    'order_sequence': sequence.id,
                    'labour_product': labour.products[0].id,
                    'labour_rates': [('create', [
                                {'payer': 'customer', 'rate': Decimal(120)},
                                ])],
                    }])
        operations = Operation.create([{
                    'code': code, 'name': name, 'standard_hours': hours,
                    } for code, name, hours in OPERATIONS])

        make, = Make.create([{
                    'name': "Volkswagen",
                    'models': [('create', [{
                                    'name': "Golf",
                                    'variants': [('create', [{
                                                    'name': "Golf 2.0 TDI",
                                                    'fuel_type': 'diesel',
                                                    }])],
                                    }])],
                    }])
        variant = make.models[0].variants[0]
        customer, = Party.create([{
                    'name': "Walk-in Customer",
                    'addresses': [('create', [{}])],
                    }])
        vehicle, = Vehicle.create([{
                    'vin': 'WVWZZZ1KZAW000017',
                    'variant': variant.id,
                    'owner': customer.id,
                    }])
        inventory, = Inventory.create([{
                    'location': warehouse.storage_location.id,
                    'company': company.id,
                    'lines': [('create', [{
                                    'product': t.products[0].id,
                                    'quantity': STOCK,
                                    } for t in parts])],
                    }])
        Inventory.confirm([inventory])
        context = User.get_preferences(context_only=True)
    return context, {
        'customer': customer.id,
        'vehicle': vehicle.id,
        'operations': [o.id for o in operations],
        'parts': [t.products[0].id for t in parts],
        'services': [t.products[0].id for t in services],
        }


def order_cycle(context, ids, mileage):
    "Take the car from reception to the posted invoice; return the order id"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    pool = Pool(DB_NAME)
    Order = pool.get('dms.workshop.order')
    Line = pool.get('dms.workshop.order.line')
    Operation = pool.get('dms.workshop.operation')
    Product = pool.get('product.product')
    Vehicle = pool.get('dms.vehicle')

    def create():
        order = Order(**Order.default_get(
                list(Order._fields), with_rec_name=False))
        order.vehicle = Vehicle(ids['vehicle'])
        order.on_change_vehicle()
        order.mileage = mileage
        lines = []
        for operation in ids['operations']:
            line = Line(**Line.default_get(
                    list(Line._fields), with_rec_name=False))
            line.order = order
            line.type = 'labour'
            line.operation = Operation(operation)
            line.on_change_operation()
            lines.append(line)
        for product in ids['parts']:
            line = Line(**Line.default_get(
                    list(Line._fields), with_rec_name=False))
            line.order = order
            line.type = 'part'
            line.product = Product(product)
            line.on_change_product()
            lines.append(line)
        order.lines = lines
        order.save()
        return order.id

    order = _click(context, create)
    for button in ['check_in', 'send_estimate', 'approve', 'start',
            'issue_parts', 'to_quality_check', 'pass_quality', 'invoice']:
        _click(context, lambda: getattr(Order, button)([Order(order)]))
    return order


def sale_cycle(context, ids):
    "Sell the same services and goods through the platform's sale"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    pool = Pool(DB_NAME)
    Sale = pool.get('sale.sale')
    Line = pool.get('sale.line')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Shipment = pool.get('stock.shipment.out')
    Invoice = pool.get('account.invoice')

    def create():
        sale = Sale(**Sale.default_get(
                list(Sale._fields), with_rec_name=False))
        sale.party = Party(ids['customer'])
        sale.on_change_party()
        lines = []
        for product in ids['services'] + ids['parts']:
            line = Line(**Line.default_get(
                    list(Line._fields), with_rec_name=False))
            line.sale = sale
            line.product = Product(product)
            line.on_change_product()
            line.quantity = 1
            line.on_change_quantity()
            lines.append(line)
        sale.lines = lines
        sale.save()
        return sale.id

    sale = _click(context, create)
    _click(context, lambda: Sale.quote([Sale(sale)]))
    _click(context, lambda: Sale.confirm([Sale(sale)]))
    shipment = _click(context, lambda: Sale(sale).shipments[0].id)
    _click(context, lambda: Shipment.assign_try([Shipment(shipment)]))
    _click(context, lambda: Shipment.pick([Shipment(shipment)]))
    _click(context, lambda: Shipment.pack([Shipment(shipment)]))
    _click(context, lambda: Shipment.do([Shipment(shipment)]))
    _click(context, lambda: Invoice.post([Sale(sale).invoices[0]]))
    return sale


def _check(context, done):
    "Check that every cycle went the whole way, untimed"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    pool = Pool(DB_NAME)
    Order = pool.get('dms.workshop.order')
    Sale = pool.get('sale.sale')
    with Transaction().start(DB_NAME, USER, context=context):
        for order in Order.browse(done['order']):
            assert order.state == 'invoiced', order.state
            invoice, = order.invoices
            assert invoice.state == 'posted', invoice.state
            assert len(invoice.lines) == 6
            shipment, = order.shipments
            assert shipment.state == 'done', shipment.state
        for sale in Sale.browse(done['plain']):
            assert sale.shipment_state == 'sent', sale.shipment_state
            invoice, = sale.invoices
            assert invoice.state == 'posted', invoice.state


def child_cycle(output):
    _activate()
    context, ids = _click({}, _setup)
    done = {kind: [] for kind in KINDS}
    mileage = [10_000]

    def run_cycle(kind):
        if kind == 'order':
            mileage[0] += 100
            done[kind].append(order_cycle(context, ids, mileage[0]))
        else:
            done[kind].append(sale_cycle(context, ids))

    for _ in range(WARMUP):
        for kind in KINDS:
            run_cycle(kind)
    times = {kind: [] for kind in KINDS}
    for round_ in range(ROUNDS):
        for kind in KINDS if round_ % 2 == 0 else KINDS[::-1]:
            start = time.perf_counter()
            run_cycle(kind)
            times[kind].append(time.perf_counter() - start)
    _check(context, done)
    _write(output, {'times': times})


def child_drop(output):
    drop_databases(output, [DATABASE], 'dms_workshop')


def child(task, output):
    if task == 'cycle':
        child_cycle(output)
    elif task == 'drop':
        child_drop(output)
    else:
        raise ValueError(task)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'child':
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"usage: {sys.argv[0]} child TASK OUTPUT "
            "(run the benchmarks with bench/run.py)")
