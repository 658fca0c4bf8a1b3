#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_sales_rebate: the deal cycle against a plain sale.

A deal cycle sells a new car in stock from the offer to the posted invoice:
a deal made as the client makes it (defaults, the customer with its
on_change, then the vehicle line with its on_change that takes the
variant's product and the car's asking price), quoted (checked against the
group's price limit, no approval needed), confirmed (the car reserved,
the profit tiers stored, the manufacturer's rebate estimated) and
processed, its shipment assigned, picked, packed and done (the car's PDI
was passed beforehand), its invoice posted (the rebate accrued in the
ledger).  The plain cycle sells one unit of a goods product through the
platform's sale the same way.  Each click is a committed transaction of
its own and the queued tasks it leaves run after it
(bench_parts_counter._click).

After WARMUP cycles of each kind, ROUNDS rounds of one cycle of each kind,
in turn first, are timed; the target applies to the ratio of the rates
(deals / plain sales) measured in the same process.  Setting up the
company, the catalog, the rebate policy, the cars in stock with their
passed PDIs and the goods in stock is not timed.  SQLite and, when
TRYTOND_DATABASE_URI is a postgresql:// URI, PostgreSQL, each in a child
process as in bench_vehicle.py.
"""
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal

from bench_parts_counter import _click
from bench_vehicle import (
    EUROPEAN, _child, _receive, _write, drop_databases, make_vins,
    run_backends)

WARMUP = 5
ROUNDS = 40
STOCK = 100_000
TARGET_RATIO = 0.8
DATABASE = 'bench_deal_cycle'
KINDS = ['plain', 'deal']
LIST_PRICE = Decimal('32000')
COST_PRICE = Decimal('27000')
REBATE = Decimal('500')


def run():
    return run_backends('bench_deal_cycle', _bench_backend,
        lambda env: _child('drop', env, 'bench_deal_cycle_drop', __file__))


def _bench_backend(backend, env, note):
    result = _child('cycle', env, DATABASE, __file__)
    common = {
        'backend': backend,
        'database': note,
        'driver': result['driver'],
        'cycles': ROUNDS,
        'warmup': WARMUP,
        'lines': "1 (the vehicle; the plain sale: 1 goods product)",
        'cycle': "create (on_changes) → quote → confirm (reserve, profit "
        "tiers, rebate estimate) → process → shipment assigned, picked, "
        "packed, done (PDI passed beforehand) → invoice posted (rebate "
        "accrued); one committed transaction per click",
        }
    rates, medians, results = {}, {}, []
    for kind, label in [
            ('plain', "plain sale cycle rate (platform, 1 goods product)"),
            ('deal', "deal cycle rate (1 vehicle, rebate policy)")]:
        times = result['times'][kind]
        rates[kind] = len(times) / sum(times)
        per_cycle = [t * 1000 for t in times]
        medians[kind] = statistics.median(per_cycle)
        results.append({
                'name': label,
                'value': round(rates[kind], 2),
                'unit': 'deals/s' if kind == 'deal' else 'sales/s',
                'seconds': round(sum(times), 2),
                'median_cycle_ms': round(medians[kind], 1),
                'min_cycle_ms': round(min(per_cycle), 1),
                'max_cycle_ms': round(max(per_cycle), 1),
                **common})
    ratio = rates['deal'] / rates['plain']
    results.append({
            'name': "deal cycle rate / plain sale cycle rate",
            'value': round(ratio, 3), 'unit': 'ratio',
            'target': f'>= {TARGET_RATIO}',
            'met': ratio >= TARGET_RATIO,
            'ratio_of_median_cycles': round(
                medians['plain'] / medians['deal'], 3),
            **common})
    return results


def _activate():
    from trytond.pool import Pool
    from trytond.tests.test_tryton import activate_module
    activate_module('dms_sales_rebate')
    Pool.test = False


def _setup():
    """Create the company with its accounting, the deal configuration, the
    catalog, the rebate policy and accounting, the customer and the goods
    in stock; return the user's context and the ids the cycles need"""
    from trytond.modules.account.tests import create_chart, get_fiscalyear
    from trytond.modules.account_invoice.tests import set_invoice_sequences
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool

    pool = Pool()
    Account = pool.get('account.account')
    Accounting = pool.get('dms.rebate.accounting')
    Category = pool.get('product.category')
    Configuration = pool.get('dms.configuration')
    Employee = pool.get('company.employee')
    FiscalYear = pool.get('account.fiscalyear')
    Inventory = pool.get('stock.inventory')
    Journal = pool.get('account.journal')
    Location = pool.get('stock.location')
    Make = pool.get('dms.vehicle.make')
    ModelData = pool.get('ir.model.data')
    Party = pool.get('party.party')
    PDITemplate = pool.get('dms.vehicle.pdi.template')
    Policy = pool.get('dms.rebate.policy')
    PriceLimit = pool.get('dms.sale.price_limit')
    Template = pool.get('product.template')
    User = pool.get('res.user')

    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        create_chart(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(company))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])

        def account(kind, **values):
            accounts = Account.search([
                    (f'type.{kind}', '=', True),
                    ('company', '=', company.id),
                    ('closed', '!=', True),
                    ] + [(k, '=', v) for k, v in values.items()], limit=1)
            return accounts[0]
        revenue, expense = account('revenue'), account('expense')
        category, = Category.create([{
                    'name': "Vehicle Sales",
                    'accounting': True,
                    'account_revenue': revenue.id,
                    'account_expense': expense.id,
                    }])
        configuration = Configuration(1)
        configuration.deal_vehicle_category = category
        configuration.deal_preparation_cost = Decimal(250)
        configuration.deal_delivery_cost = Decimal(150)
        configuration.save()
        warehouse, = Location.search([('code', '=', 'WH')])
        warehouse.company = company
        warehouse.save()
        unit = ModelData.get_id('product', 'uom_unit')
        goods, = Template.create([{
                    'name': "Wallbox 11 kW", 'type': 'goods',
                    'salable': True, 'list_price': Decimal(990),
                    'default_uom': unit, 'sale_uom': unit,
                    'account_category': category.id,
                    'products': [('create', [{}])],
                    }])

        importer, = Party.create([{'name': "Skoda Import"}])
        make, = Make.create([{
                    'name': "Skoda",
                    'supplier': importer.id,
                    'models': [('create', [{
                                    'name': "Octavia",
                                    'variants': [('create', [{
                                                    'name': "Style",
                                                    'fuel_type': 'diesel',
                                                    'list_price': LIST_PRICE,
                                                    }])],
                                    }])],
                    }])
        variant = make.models[0].variants[0]
        PriceLimit.create([{
                    'company': None, 'usage': 'new',
                    'currency': currency.id, 'max_discount': Decimal(8),
                    }])
        Policy.create([{
                    'name': "Octavia Bonus", 'manufacturer': importer.id,
                    'start_date': dt.date.today().replace(month=1, day=1),
                    'calculation': 'amount', 'amount': REBATE,
                    'currency': currency.id,
                    'makes': [('add', [make.id])],
                    }])
        journal, = Journal.search([('code', '=', 'REV')])
        Accounting.create([{
                    'company': company.id,
                    'journal': journal.id,
                    'receivable_account': account(
                        'receivable', party_required=True).id,
                    'income_account': revenue.id,
                    'variance_account': expense.id,
                    }])
        technician_party, customer = Party.create([
                {'name': "Tina Technician"},
                {'name': "Clara Kunde", 'addresses': [('create', [{}])]},
                ])
        technician, = Employee.create([{
                    'party': technician_party.id, 'company': company.id}])
        template, = PDITemplate.create([{
                    'name': "New car PDI",
                    'lines': [('create', [{'name': "Lights"}])],
                    }])
        inventory, = Inventory.create([{
                    'location': warehouse.storage_location.id,
                    'company': company.id,
                    'lines': [('create', [{
                                    'product': goods.products[0].id,
                                    'quantity': STOCK,
                                    }])],
                    }])
        Inventory.confirm([inventory])
        context = User.get_preferences(context_only=True)
    return context, {
        'company': company.id,
        'warehouse': warehouse.id,
        'importer': importer.id,
        'variant': variant.id,
        'technician': technician.id,
        'pdi_template': template.id,
        'customer': customer.id,
        'goods': goods.products[0].id,
        }


def _stock_vehicles(ids, count):
    """Receive count new cars into the warehouse and pass their PDIs;
    return their ids"""
    from trytond.pool import Pool
    pool = Pool()
    PDI = pool.get('dms.vehicle.pdi')
    Vehicle = pool.get('dms.vehicle')
    vehicles = Vehicle.create([{
                'vin': vin, 'variant': ids['variant'],
                } for vin in make_vins(count, EUROPEAN[7:8])])
    _receive(vehicles, {
            'company': ids['company'],
            'warehouse': ids['warehouse'],
            'date': dt.date.today(),
            'supplier': ids['importer'],
            'cost_price': COST_PRICE,
            })
    pdis = PDI.create([{
                'vehicle': v.id,
                'template': ids['pdi_template'],
                'technician': ids['technician'],
                } for v in vehicles])
    PDI.write(pdis, {'lines': [
                ('write', [l.id for p in pdis for l in p.lines],
                    {'result': 'ok'})]})
    PDI.pass_(pdis)
    return [v.id for v in vehicles]


def _ship_and_invoice(context, sale):
    "Ship the sale's goods and post its invoice, a click each"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    pool = Pool(DB_NAME)
    Sale = pool.get('sale.sale')
    Shipment = pool.get('stock.shipment.out')
    Invoice = pool.get('account.invoice')
    shipment = _click(context, lambda: Sale(sale).shipments[0].id)
    _click(context, lambda: Shipment.assign_try([Shipment(shipment)]))
    _click(context, lambda: Shipment.pick([Shipment(shipment)]))
    _click(context, lambda: Shipment.pack([Shipment(shipment)]))
    _click(context, lambda: Shipment.do([Shipment(shipment)]))
    _click(context, lambda: Invoice.post([Sale(sale).invoices[0]]))


def _new_sale(ids):
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    pool = Pool(DB_NAME)
    Sale = pool.get('sale.sale')
    Line = pool.get('sale.line')
    Party = pool.get('party.party')
    sale = Sale(**Sale.default_get(
            list(Sale._fields), with_rec_name=False))
    sale.party = Party(ids['customer'])
    sale.on_change_party()
    line = Line(**Line.default_get(list(Line._fields), with_rec_name=False))
    line.sale = sale
    return sale, line


def deal_cycle(context, ids, vehicle):
    "Sell the car in stock from the offer to the posted invoice"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    pool = Pool(DB_NAME)
    Sale = pool.get('sale.sale')
    Vehicle = pool.get('dms.vehicle')

    def create():
        sale, line = _new_sale(ids)
        line.vehicle = Vehicle(vehicle)
        line.on_change_vehicle()
        sale.lines = [line]
        sale.save()
        return sale.id

    sale = _click(context, create)
    _click(context, lambda: Sale.quote([Sale(sale)]))
    _click(context, lambda: Sale.confirm([Sale(sale)]))
    _ship_and_invoice(context, sale)
    return sale


def sale_cycle(context, ids):
    "Sell one unit of the goods through the platform's sale"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    pool = Pool(DB_NAME)
    Sale = pool.get('sale.sale')
    Product = pool.get('product.product')

    def create():
        sale, line = _new_sale(ids)
        line.product = Product(ids['goods'])
        line.on_change_product()
        line.quantity = 1
        line.on_change_quantity()
        sale.lines = [line]
        sale.save()
        return sale.id

    sale = _click(context, create)
    _click(context, lambda: Sale.quote([Sale(sale)]))
    _click(context, lambda: Sale.confirm([Sale(sale)]))
    _ship_and_invoice(context, sale)
    return sale


def _check(context, done):
    "Check that every cycle went the whole way, untimed"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    pool = Pool(DB_NAME)
    Sale = pool.get('sale.sale')
    with Transaction().start(DB_NAME, USER, context=context):
        for kind, sales in done.items():
            for sale in Sale.browse(sales):
                assert sale.shipment_state == 'sent', sale.shipment_state
                invoice, = sale.invoices
                assert invoice.state == 'posted', invoice.state
                if kind == 'deal':
                    assert sale.deal_vehicle.stock_state == 'delivered'
                    rebate, = sale.rebate_lines
                    assert rebate.state == 'accrued', rebate.state
                    assert rebate.accrual_move
                    assert sale.gp2 == sale.gp1 + REBATE, (sale.gp1, sale.gp2)


def child_cycle(output):
    _activate()
    context, ids = _click({}, _setup)
    vehicles = _click(context, _stock_vehicles, ids, WARMUP + ROUNDS)
    done = {kind: [] for kind in KINDS}

    def run_cycle(kind):
        if kind == 'deal':
            done[kind].append(deal_cycle(context, ids, vehicles.pop(0)))
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
    drop_databases(output, [DATABASE], 'dms_sales_rebate')


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
