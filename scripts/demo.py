#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Load the demo dealer group into a Tryton database.

    .venv/bin/python scripts/demo.py --config config/trytond.conf \\
        --database dms

Creates the database when it does not exist (the admin password is
"admin"), activates every dms_* module with the platform modules the demo
needs, and loads a dealer group of three rooftops: charts of accounts,
fiscal years, warehouses, departments, staff with one user per role,
customers and their documents, and the vehicles: a catalog of three makes
and about 150 vehicles in every state and stock state, received,
transferred, held for customers, inspected, sold, delivered, traded in and
scrapped through their buttons and wizards, with mileage, photos, papers
and this week's bookings of demonstrators; and the parts department: about
2,000 parts of the three makes imported from their manufacturers' price
files, with supersessions, discount groups and what they fit, each
rooftop's opening stock counted by an inventory, its bins and the sales
its counter lost; and the workshops: each rooftop's bays, technicians,
labour rates and the makes' labour operations, with a week of
appointments and repair orders in every state, driven through their
buttons by the service advisors and technicians (estimates and their
revisions, parts issued from stock, clocking, invoices per payer and
warranty claims); and the vehicle deals: the deal products, price limits,
two manufacturers' rebate policies (one with quarterly volume tiers) and
the salespeople's commission agents, with each rooftop's deals in every
state worked through their buttons by the sales consultants and managers
(trade-ins, price approvals and rejections, deliveries after a passed PDI,
invoices posted and paid) and a manufacturer's rebate claim paid with a
small difference written off.

Every step looks for what it would create first, so running the script
again on a loaded database changes nothing and takes seconds; a database
activated by a newer module list gets the new modules activated.

The data are fixed (scripts/demo_data/) or drawn from seeded random
generators; dates are relative to today.  Nothing leaves the machine and
the scheduler does not run: the rooftops' expiry reminders are run once
and sent to a mail server on localhost that keeps them (one refused, an
SMS failing for want of a gateway, e-mails waiting while the server is
down: see load_messages); the workshops' notices to customers stay
queued for the queue worker.

Environment variables TRYTOND_<SECTION>__<OPTION> (e.g.
TRYTOND_DATABASE__PATH) take precedence over the configuration file.
"""
import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import unicodedata
from decimal import Decimal
from importlib.metadata import entry_points

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from demo_data import customers as customer_data  # noqa: E402
from demo_data import deals as deal_data  # noqa: E402
from demo_data import group as group_data  # noqa: E402
from demo_data import leads as lead_data  # noqa: E402
from demo_data import parts as parts_data  # noqa: E402
from demo_data import vehicles as vehicle_data  # noqa: E402
from demo_data import workshop as workshop_data  # noqa: E402

# The platform modules the demo needs besides the dms_* modules
PLATFORM_MODULES = ['party', 'account', 'stock']
SEED = 'dealer-dms-demo'
ADMIN_PASSWORD = 'admin'


def main(argv=None):
    args = parse_args(argv)
    start = time.monotonic()
    load_configuration(args.config)
    created = create_database(args.database)
    config = connect(args.database)
    activate_modules(config)
    german = load_language(config, group_data.LANGUAGE)

    country, currency = load_reference(config)
    companies = load_companies(config, country, currency)
    load_accounting(config, companies)
    warehouses = load_stock(config, companies, country)
    departments = load_departments(config, companies)
    users = load_staff(config, companies, departments, warehouses, german)
    customers = load_customers(config, country, german)
    load_documents(config, companies, customers)
    load_messages(config, companies, customers)
    load_vehicles(config, companies, warehouses, customers)
    load_parts(config, companies, warehouses, customers)
    load_workshop(config, companies, warehouses, customers)
    load_deals(config, companies, warehouses, customers)
    load_leads(config, companies, warehouses, customers)
    close_configuration_wizard(config)

    print_users(users)
    print(f"{'Created' if created else 'Checked'} demo database "
        f"{args.database!r} in {time.monotonic() - start:.1f} s")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '-c', '--config', nargs='+', metavar='FILE',
        default=list(filter(None, [os.environ.get('TRYTOND_CONFIG')])),
        help="the trytond configuration files (later files win)")
    parser.add_argument(
        '-d', '--database', required=True,
        help="the database name (an SQLite file <name>.sqlite under "
        "[database] path)")
    return parser.parse_args(argv)


def rng(area):
    "Return the random generator of an area, the same at every run"
    import random
    return random.Random(f'{SEED}-{area}')


# --- database ------------------------------------------------------------

def load_configuration(filenames):
    """Read the configuration files, then let TRYTOND_<SECTION>__<OPTION>
    environment variables override them (trytond reads them before the
    files, so the files would win)"""
    from trytond import config
    for filename in filenames:
        if not os.path.isfile(filename):
            sys.exit(f"Configuration file {filename!r} not found")
    if filenames:
        config.update_etc(filenames)
    for key, value in os.environ.items():
        if not key.startswith('TRYTOND_') or '__' not in key:
            continue
        section, option = key[len('TRYTOND_'):].lower().split('__', 1)
        if section.startswith('wsgi_'):
            section = section.replace('wsgi_', 'wsgi ')
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, option, value)


def create_database(name):
    """Create and initialise the database if needed, like
    `trytond-admin --all` does; return whether it was created"""
    from trytond import backend, config
    from trytond.admin import run
    from trytond.commandline import get_parser_admin

    if backend.name == 'sqlite':
        path = config.get('database', 'path')
        os.makedirs(path, exist_ok=True)
        filename = os.path.join(path, name + '.sqlite')
        if not os.path.exists(filename):
            open(filename, 'a').close()
    elif backend.name == 'postgresql':
        server = backend.Database().connect()
        connection = server.get_connection(autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    'SELECT 1 FROM pg_database WHERE datname = %s', (name,))
                if not cursor.fetchone():
                    server.create(connection, name)
        finally:
            server.put_connection(connection)
    database = backend.Database(name).connect()
    try:
        if database.test():
            return False
    finally:
        database.close()

    print(f"Initialising database {name!r}", flush=True)
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(ADMIN_PASSWORD + '\n')
        passfile.flush()
        environ = os.environ.copy()
        os.environ['TRYTONPASSFILE'] = passfile.name
        try:
            run(get_parser_admin().parse_args([
                        '-d', name, '--all',
                        '--email', 'admin@' + group_data.EMAIL_DOMAIN]))
        finally:
            os.environ.clear()
            os.environ.update(environ)
    return True


def connect(name):
    "Return the proteus configuration working on the database as admin"
    from proteus import config as pconfig
    environ = os.environ.copy()
    try:
        # set_trytond records the name in TRYTOND_DATABASE_URI; the
        # configuration is already loaded, so do not leak it
        config = pconfig.set_trytond(database=name)
    finally:
        os.environ.clear()
        os.environ.update(environ)
    return config


def dms_modules():
    "Return the names of the dms_* modules registered as trytond modules"
    return sorted({
            e.name for e in entry_points(group='trytond.modules')
            if e.name.startswith('dms_')})


def activate_modules(config):
    "Activate the dms_* and platform modules that are not yet"
    from proteus import Model, Wizard
    Module = Model.get('ir.module')

    names = PLATFORM_MODULES + dms_modules()
    modules = Module.find([('name', 'in', names)])
    if len(modules) < len(names):
        # registered after the database was last updated
        update_module_list(config)
        modules = Module.find([('name', 'in', names)])
    missing = set(names) - {m.name for m in modules}
    if missing:
        sys.exit(f"Modules not found: {', '.join(sorted(missing))}")
    to_activate = [m for m in modules if m.state == 'not activated']
    if to_activate or any(m.state != 'activated' for m in modules):
        print("Activating " + ', '.join(sorted(m.name for m in to_activate)),
            flush=True)
        if to_activate:
            Module.click(to_activate, 'activate')
        Wizard('ir.module.activate_upgrade').execute('upgrade')
    refresh_context(config)


def update_module_list(config):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(config.database_name, 0):
        Pool().get('ir.module').update_list()


def refresh_context(config):
    from proteus import Model
    User = Model.get('res.user')
    config._context = User.get_preferences(True, {})


def close_configuration_wizard(config):
    "Mark the module configuration done so users land in the application"
    from proteus import Model
    Item = Model.get('ir.module.config_wizard.item')
    items = Item.find([('state', '!=', 'done')])
    for item in items:
        item.state = 'done'
    Item.save(items)


# --- reference data ------------------------------------------------------

def load_language(config, code):
    """Load the translations of the language (platform and dms modules) and
    return it"""
    from proteus import Model
    Lang = Model.get('ir.lang')
    lang, = Lang.find([('code', '=', code)])
    if not lang.translatable:
        print(f"Loading the {lang.name} translations", flush=True)
        Lang.click([lang], 'load_translations')
        lang.reload()
    return lang


def load_reference(config):
    "Return the country and the currency of the group"
    from proteus import Model
    Country = Model.get('country.country')
    Currency = Model.get('currency.currency')

    countries = Country.find([('code', '=', group_data.COUNTRY['code'])])
    if countries:
        country, = countries
    else:
        country = Country(**group_data.COUNTRY)
        country.save()

    currencies = Currency.find([('code', '=', group_data.CURRENCY['code'])])
    if currencies:
        currency, = currencies
    else:
        currency = Currency(
            rounding=Decimal('0.01'), digits=2, **group_data.CURRENCY)
        currency.save()
    return country, currency


# --- companies -----------------------------------------------------------

def load_companies(config, country, currency):
    """Create the rooftops as companies and let the admin see them all;
    return the companies by rooftop code"""
    from proteus import Model
    Party = Model.get('party.party')
    Company = Model.get('company.company')
    User = Model.get('res.user')

    names = {r['name']: r['code'] for r in group_data.ROOFTOPS}
    existing = {c.party.name: c for c in Company.find([
                ('party.name', 'in', list(names)),
                ])}
    parties = []
    for rooftop in group_data.ROOFTOPS:
        if rooftop['name'] in existing:
            continue
        party = Party(name=rooftop['name'])
        address, = party.addresses
        address.street_name = rooftop['street_name']
        address.building_number = rooftop['building_number']
        address.postal_code = rooftop['postal_code']
        address.city = rooftop['city']
        address.country = country
        party.contact_mechanisms.new(type='phone', value=rooftop['phone'])
        party.contact_mechanisms.new(type='email', value=rooftop['email'])
        parties.append(party)
    if parties:
        Party.save(parties)
        new = [Company(
                party=p, currency=currency, timezone=group_data.TIMEZONE)
            for p in parties]
        Company.save(new)
        existing.update({c.party.name: c for c in new})
    companies = {names[n]: c for n, c in existing.items()}
    # lists name each rooftop by its town
    cities = {r['code']: r['city'] for r in group_data.ROOFTOPS}
    to_save = []
    for code, company in companies.items():
        if company.short_name != cities[code]:
            company.short_name = cities[code]
            to_save.append(company)
    if to_save:
        Company.save(to_save)

    # the admin (a Group Manager) is given every company when it is created
    admin, = User.find([('login', '=', 'admin')])
    first = companies[group_data.ROOFTOPS[0]['code']]
    if admin.company != first or admin.company_filter != 'all':
        admin.company = first
        admin.company_filter = 'all'
        admin.save()
    refresh_context(config)
    return companies


# --- customer messages ---------------------------------------------------

def load_messages(config, companies, customers):
    """Fill the customer message outbox as a day of the scheduler leaves it:
    the expiry reminders of the rooftops sent through a mail server on
    localhost that keeps them, an e-mail it refuses, an SMS that fails for
    want of a gateway, and e-mails waiting while the mail server is down.
    Nothing leaves the machine."""
    import trytond.config as tryton_config
    from proteus import Model
    from trytond.modules.dms_base.tests.tools import SMTPServer
    Cron = Model.get('ir.cron')
    Message = Model.get('dms.message')
    ModelData = Model.get('ir.model.data')

    if Message.find([], limit=1):
        return
    reminders = ModelData.get_id(
        'dms_base', 'cron_send_expiry_reminders', config.context)
    with_email = [p for p, _, _, _ in customers
        if any(m.type == 'email' for m in p.contact_mechanisms)]
    uri = tryton_config.get('email', 'uri')
    server = SMTPServer().start()
    try:
        for company in companies.values():
            with config.set_context(company=company.id):
                # a record runs its buttons in the context it was read in
                Cron(reminders).click('run_once')
        koeln = companies[group_data.ROOFTOPS[0]['code']]
        with config.set_context(company=koeln.id):
            server.refuse_with = '550 5.1.1 Mailbox unavailable'
            Message(party=with_email[0], subject="Ihr Angebot",
                body="Guten Tag,\n\nanbei Ihr Angebot für den neuen "
                "Golf.\n\nIhr Autohaus Rheinblick").save()
            server.refuse_with = None
            Message(party=with_email[1], channel='sms',
                body="Ihr Fahrzeug ist ab morgen 9 Uhr abholbereit. "
                "Ihr Autohaus Rheinblick Köln").save()
    finally:
        server.stop()
    # the mail server is down now: the first e-mail fails, the others wait
    bonn = companies[group_data.ROOFTOPS[-1]['code']]
    with config.set_context(company=bonn.id):
        Message.save([
                Message(party=party, subject="Einladung zur Probefahrt",
                    body="Guten Tag,\n\nwir laden Sie herzlich zur "
                    "Probefahrt des neuen ID.4 ein.\n\n"
                    "Ihr Autohaus Rheinblick Bonn")
                for party in with_email[2:5]])
    tryton_config.set('email', 'uri', uri)


# --- accounting ----------------------------------------------------------

def load_accounting(config, companies):
    """Give each rooftop a chart of accounts from the template and fiscal
    years for this year and the next one with monthly periods"""
    from proteus import Model, Wizard
    Account = Model.get('account.account')
    AccountTemplate = Model.get('account.account.template')
    ModelData = Model.get('ir.model.data')
    FiscalYear = Model.get('account.fiscalyear')
    Sequence = Model.get('ir.sequence.strict')
    SequenceType = Model.get('ir.sequence.type')

    template = AccountTemplate(ModelData.get_id(
            'account', 'account_template_root_en', config.context))
    for company in companies.values():
        if Account.find([('company', '=', company.id)], limit=1):
            continue
        with config.set_context(company=company.id):
            create_chart = Wizard('account.create_chart')
            create_chart.execute('account')
            create_chart.form.account_template = template
            create_chart.form.company = company
            create_chart.execute('create_account')
            receivable, = Account.find([
                    ('company', '=', company.id),
                    ('type.receivable', '=', True),
                    ('party_required', '=', True),
                    ], limit=1)
            payable, = Account.find([
                    ('company', '=', company.id),
                    ('type.payable', '=', True),
                    ('party_required', '=', True),
                    ], limit=1)
            create_chart.form.account_receivable = receivable
            create_chart.form.account_payable = payable
            create_chart.execute('create_properties')

    sequence_type, = SequenceType.find([('name', '=', "Account Move")])
    year = dt.date.today().year
    fiscalyears = []
    for company in companies.values():
        for year_ in [year, year + 1]:
            if FiscalYear.find([
                        ('company', '=', company.id),
                        ('start_date', '=', dt.date(year_, 1, 1)),
                        ]):
                continue
            fiscalyear = FiscalYear(
                name=str(year_), company=company,
                start_date=dt.date(year_, 1, 1),
                end_date=dt.date(year_, 12, 31),
                move_sequence=Sequence(
                    name=f"{year_} {company.party.name}",
                    sequence_type=sequence_type, company=company))
            # account_invoice's default line belongs to the admin's company
            while getattr(fiscalyear, 'invoice_sequences', None):
                fiscalyear.invoice_sequences.pop()
            fiscalyears.append(fiscalyear)
    if fiscalyears:
        Sequence.save([f.move_sequence for f in fiscalyears])
        FiscalYear.save(fiscalyears)
        FiscalYear.click(fiscalyears, 'create_period')
    if 'invoice_sequences' in FiscalYear._fields:
        load_invoice_sequences(config, companies)


def load_invoice_sequences(config, companies):
    """Number each rooftop's invoices and credit notes by fiscal year, as
    account_invoice needs once a module that sells activates it"""
    from proteus import Model
    FiscalYear = Model.get('account.fiscalyear')
    InvoiceSequence = Model.get('account.fiscalyear.invoice_sequence')
    ModelData = Model.get('ir.model.data')
    Sequence = Model.get('ir.sequence.strict')
    SequenceType = Model.get('ir.sequence.type')

    fiscalyears = FiscalYear.find([
            ('company', 'in', [c.id for c in companies.values()]),
            ('invoice_sequences', '=', None),
            ])
    if not fiscalyears:
        return
    sequence_type = SequenceType(ModelData.get_id(
            'account_invoice', 'sequence_type_account_invoice',
            config.context))
    sequences = [Sequence(
            name=f"{f.name} {f.company.party.name} Invoices",
            sequence_type=sequence_type, company=f.company)
        for f in fiscalyears]
    Sequence.save(sequences)
    InvoiceSequence.save([InvoiceSequence(
                company=f.company, fiscalyear=f,
                out_invoice_sequence=s, out_credit_note_sequence=s,
                in_invoice_sequence=s, in_credit_note_sequence=s)
            for f, s in zip(fiscalyears, sequences)])


# --- stock ---------------------------------------------------------------

def load_stock(config, companies, country):
    """Give each rooftop its warehouse with input, output, storage and
    picking zones and a lost and found; return them by rooftop code"""
    from proteus import Model
    Location = Model.get('stock.location')

    codes = [r['code'] for r in group_data.ROOFTOPS]
    warehouses = {w.code: w for w in Location.find([
                ('type', '=', 'warehouse'),
                ('code', 'in', codes),
                ])}
    # each rooftop's warehouse belongs to its company
    owned = [w for c, w in warehouses.items() if w.company != companies[c]]
    for warehouse in owned:
        warehouse.company = companies[warehouse.code]
    if owned:
        Location.save(owned)
    rooftops = [r for r in group_data.ROOFTOPS if r['code'] not in warehouses]
    if not rooftops:
        return warehouses

    zones = {}
    for rooftop in rooftops:
        code = rooftop['code']
        zones[code] = {
            'input_location': Location(
                name="Input Zone", code=f'{code}-IN', type='storage'),
            'output_location': Location(
                name="Output Zone", code=f'{code}-OUT', type='storage'),
            'storage_location': Location(
                name="Storage Zone", code=f'{code}-STO', type='storage'),
            'lost_found_location': Location(
                name="Lost and Found", type='lost_found'),
            }
    Location.save([l for z in zones.values() for l in z.values()])

    new = []
    for rooftop in rooftops:
        company = companies[rooftop['code']]
        address, = [a for a in company.party.addresses]
        new.append(Location(
                name=rooftop['warehouse'], code=rooftop['code'],
                type='warehouse', address=address, company=company,
                **zones[rooftop['code']]))
    Location.save(new)

    pickings = [Location(
            name="Picking Zone", code=f'{w.code}-PIC', type='storage',
            parent=w.storage_location) for w in new]
    Location.save(pickings)
    for warehouse, picking in zip(new, pickings):
        warehouse.picking_location = picking
    Location.save(new)
    warehouses.update({w.code: w for w in new})
    return warehouses


# --- departments ---------------------------------------------------------

def load_departments(config, companies):
    "Create the five departments of each rooftop; return them by key"
    from proteus import Model
    Department = Model.get('dms.department')

    departments = {
        (d.company.id, d.type): d for d in Department.find([
                ('company', 'in', [c.id for c in companies.values()]),
                ])}
    new = []
    for code, company in companies.items():
        for type_, dept_code, name in group_data.DEPARTMENTS:
            if (company.id, type_) in departments:
                continue
            new.append(Department(
                    company=company, type=type_, code=dept_code, name=name))
    Department.save(new)
    departments.update({(d.company.id, d.type): d for d in new})
    return {
        (code, type_): departments[company.id, type_]
        for code, company in companies.items()
        for type_, _, _ in group_data.DEPARTMENTS}


# --- staff ---------------------------------------------------------------

def load_staff(config, companies, departments, warehouses, language):
    """Create the employees of each rooftop, the department managers and
    a user per staff login; return the demo users as table rows"""
    from proteus import Model
    Party = Model.get('party.party')
    Employee = Model.get('company.employee')
    User = Model.get('res.user')
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')

    def full_name(first, last):
        return f'{first} {last}'

    employees = {}
    for employee in Employee.find([
                ('company', 'in', [c.id for c in companies.values()]),
                ]):
        employees[employee.company.id, employee.party.name] = employee
    parties, new = [], []
    for login, first, last, role, code, dept_type in group_data.STAFF:
        company = companies[code]
        name = full_name(first, last)
        if (company.id, name) in employees:
            continue
        party = Party(name=name)
        party.contact_mechanisms.new(
            type='email', value=email_address(
                first, last, group_data.EMAIL_DOMAIN))
        parties.append(party)
        new.append(Employee(
                company=company, party=party,
                department=departments[code, dept_type] if dept_type
                else None))
    Party.save(parties)
    Employee.save(new)
    employees.update({(e.company.id, e.party.name): e for e in new})

    by_key = {}
    for login, first, last, role, code, dept_type in group_data.STAFF:
        employee = employees[companies[code].id, full_name(first, last)]
        by_key[login or full_name(first, last)] = employee
    to_save = []
    for (code, dept_type), key in group_data.DEPARTMENT_MANAGERS.items():
        department = departments[code, dept_type]
        if department.manager != by_key[key]:
            department.manager = by_key[key]
            to_save.append(department)
    if to_save:
        Model.get('dms.department').save(to_save)

    groups = {
        x: ModelData.get_id(*x.split('.'), config.context)
        for r in group_data.ROLES.values() for x in r['groups']}

    logins = [s[0] for s in group_data.STAFF if s[0]]
    users = {u.login: u for u in User.find([('login', 'in', logins)])}
    new = []
    all_companies = list(companies.values())
    for login, first, last, role, code, dept_type in group_data.STAFF:
        if not login or login in users:
            continue
        settings = group_data.ROLES[role]
        company = companies[code]
        employee = by_key[login]
        user = User(
            login=login, name=full_name(first, last),
            email=email_address(first, last, group_data.EMAIL_DOMAIN),
            password=group_data.PASSWORD)
        # fresh instances: a record is linked to one parent in proteus
        user.companies.extend(fresh(c) for c in (
                all_companies if settings.get('group_wide') else [company]))
        user.company = fresh(company)
        user.employees.append(fresh(employee))
        user.employee = fresh(employee)
        user.company_filter = settings.get('company_filter', 'one')
        if code in group_data.LANGUAGE_ROOFTOPS:
            user.language = fresh(language)
        user.warehouse = fresh(warehouses[code])
        user.groups.extend(Group(g) for g in sorted(
                groups[x] for x in settings['groups']))
        new.append(user)
    User.save(new)
    users.update({u.login: u for u in new})

    rows = []
    for login, first, last, role, code, dept_type in group_data.STAFF:
        if not login:
            continue
        settings = group_data.ROLES[role]
        if settings.get('group_wide'):
            where = "all rooftops"
            if settings.get('company_filter') != 'all':
                where += f" (from {companies[code].party.name})"
        else:
            where = companies[code].party.name
        rows.append((login, group_data.PASSWORD, settings['name'], where))
    return rows


def fresh(record):
    "Return a new instance of record, to link it to another record"
    return record.__class__(record.id)


def slug(text):
    "Return text in lower-case ASCII letters, digits and hyphens"
    text = text.lower()
    for umlaut, ascii_ in [('ä', 'ae'), ('ö', 'oe'), ('ü', 'ue'), ('ß', 'ss')]:
        text = text.replace(umlaut, ascii_)
    text = unicodedata.normalize('NFKD', text).encode(
        'ascii', 'ignore').decode()
    return '-'.join(
        ''.join(c if c.isalnum() else ' ' for c in text).split())


def email_address(first, last, domain):
    "Return first.last@domain in plain ASCII"
    return f'{slug(first)}.{slug(last)}@{domain}'


def print_users(rows):
    header = ("Login", "Password", "Role", "Company")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
    line = '  '.join('{:<%d}' % w for w in widths)
    print(line.format(*header).rstrip())
    print(line.format(*('-' * w for w in widths)))
    for row in rows:
        print(line.format(*row).rstrip())


# --- customers -----------------------------------------------------------

def load_customers(config, country, language):
    """Create the customers with an address in the region, a mobile number,
    for most an e-mail address, and the language they are written to in;
    return them as
    (party, town, nearest rooftop code, is a person) tuples"""
    from proteus import Model
    Party = Model.get('party.party')

    random = rng('customers')
    mobiles = [
        f'{prefix}{n:0{len(str(last))}d}'
        for prefix, first, last in customer_data.MOBILE_BLOCKS
        for n in range(first, last + 1)]
    random.shuffle(mobiles)

    specs = []
    for i, (first, last, has_email) in enumerate(customer_data.PERSONS):
        email = None
        if has_email:
            email = email_address(
                first, last, customer_data.EMAIL_DOMAINS[i % 2])
        specs.append((f'{first} {last}', email, True))
    for i, (name, local) in enumerate(customer_data.BUSINESSES):
        email = None
        if local:
            email = f'{local}@{customer_data.EMAIL_DOMAINS[i % 2]}'
        specs.append((name, email, False))

    existing = {p.name: p for p in Party.find([
                ('name', 'in', [s[0] for s in specs]),
                ])}
    new, result = [], []
    for i, (name, email, person) in enumerate(specs):
        street, postal_code, city, code = random.choice(customer_data.STREETS)
        building_number = str(random.randint(1, 180))
        mobile = mobiles[i]
        if name in existing:
            result.append((existing[name], city, code, person))
            continue
        party = Party(name=name, lang=fresh(language))
        address, = party.addresses
        address.street_name = street
        address.building_number = building_number
        address.postal_code = postal_code
        address.city = city
        address.country = country
        party.contact_mechanisms.new(type='mobile', value=mobile)
        if email:
            party.contact_mechanisms.new(type='email', value=email)
        new.append(party)
        result.append((party, city, code, person))
    Party.save(new)
    return result


# --- documents -----------------------------------------------------------

def load_documents(config, companies, customers):
    """Record the customers' documents at their rooftops: some expired, some
    expiring within 30 days, most valid for months or years"""
    from proteus import Model
    Document = Model.get('dms.document')

    holders = [c[0].id for c in customers]
    if Document.find([('holder', 'in', holders)], limit=1):
        return

    random = rng('documents')
    today = dt.date.today()
    codes = list(companies)
    documents = []
    for party, city, code, person in customers:
        for type_, share, years in customer_data.DOCUMENT_TYPES:
            if not person and type_ in {'driving_licence', 'id_card'}:
                continue
            if random.random() >= share:
                continue
            # most documents are recorded at the customer's rooftop
            if random.random() < 0.85:
                rooftop = code
            else:
                rooftop = random.choice(codes)
            expiry_date = issue_date = None
            if years:
                # issued in the past: expires within its validity from today
                expiry_date = today + dt.timedelta(
                    days=expiry_offset(random, years * 365 - 1))
                issue_date = add_years(expiry_date, -years)
            else:
                issue_date = today - dt.timedelta(
                    days=random.randint(30, 8 * 365))
            number, issuer = document_number(random, type_, city, rooftop)
            documents.append(Document(
                    company=companies[rooftop], holder=party, type=type_,
                    number=number, issuer=issuer,
                    issue_date=issue_date, expiry_date=expiry_date))
    Document.save(documents)


def expiry_offset(random, max_days):
    """Return the days until expiry, at most max_days: past, within 30 days,
    within months or in years"""
    kind = random.choices(
        ['expired', 'expiring', 'months', 'years'], [15, 20, 25, 40])[0]
    if kind == 'expired':
        return -random.randint(1, 400)
    elif kind == 'expiring':
        return random.randint(0, 30)
    elif kind == 'months' or max_days <= 365:
        return random.randint(31, min(365, max_days))
    else:
        return random.randint(366, min(10 * 365, max_days))


def add_years(date, years):
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        # 29 February
        return date.replace(year=date.year + years, day=28)


def document_number(random, type_, city, rooftop):
    """Return a realistic number and issuer for a document of type_ held by
    a customer living in city and recorded at rooftop"""
    letters = 'CFGHJKLMNPRTVWXYZ'
    alnum = letters + '0123456789'

    def pick(chars, n):
        return ''.join(random.choice(chars) for _ in range(n))

    authority = customer_data.AUTHORITIES.get(city, f"Stadt {city}")
    if type_ == 'driving_licence':
        return (pick(letters, 1) + pick('0123456789', 2) + pick(alnum, 6)
            + pick('0123456789', 1) + pick(alnum, 1),
            f"{authority}, Fahrerlaubnisbehörde")
    elif type_ == 'id_card':
        return pick(letters, 1) + pick(alnum, 8), f"{authority}, Bürgeramt"
    elif type_ == 'insurance':
        return (f"KH-{random.randint(10, 99)}-{random.randint(0, 999999):06d}",
            random.choice(customer_data.INSURERS))
    elif type_ == 'periodic_inspection':
        inspector = random.choice(customer_data.INSPECTORS)
        return (f"HU {random.randint(100000, 999999)}", inspector)
    elif type_ == 'registration_certificate':
        return (pick('ABCDEFGHIJKLMNOPRSTUVWXYZ', 2)
            + f"{random.randint(0, 9999999):07d}",
            f"{authority}, Straßenverkehrsamt")
    elif type_ == 'warranty':
        return (f"GAR-{rooftop}-{random.randint(1000, 9999)}",
            customer_data.WARRANTY_ISSUER)
    elif type_ == 'finance_contract':
        return (f"FV {random.randint(10000000, 99999999)}",
            random.choice(customer_data.BANKS))
    return None, None


# --- vehicles ------------------------------------------------------------

def load_vehicles(config, companies, warehouses, customers):
    """Load the vehicle catalog, the PDI checklists and about 150 vehicles
    in every state and stock state across the rooftops, with their
    shipments, holds, PDIs, mileage, photos, papers and this week's
    bookings (scripts/demo_data/vehicles.py)"""
    return vehicle_data.load(
        config, SEED, companies, warehouses, customers, group_data.STAFF,
        group_data.TIMEZONE)


# --- parts ---------------------------------------------------------------

def load_parts(config, companies, warehouses, customers):
    """Import the parts of the three makes from their price files, record
    what they fit, count each rooftop's opening stock, give it bins and
    record the sales the counters lost (scripts/demo_data/parts.py)"""
    return parts_data.load(
        config, SEED, companies, warehouses, customers, group_data.STAFF,
        group_data.TIMEZONE)


# --- workshop ------------------------------------------------------------

def load_workshop(config, companies, warehouses, customers):
    """Give each rooftop its workshop, the makes their labour operations,
    and run a week of appointments and repair orders in every state
    through the buttons as the service advisors and technicians would
    (scripts/demo_data/workshop.py)"""
    return workshop_data.load(
        config, SEED, companies, warehouses, customers, group_data.STAFF,
        group_data.TIMEZONE)


# --- deals ---------------------------------------------------------------

def load_deals(config, companies, warehouses, customers):
    """Set up the vehicle deals (products, price limits, rebate policies
    and accounting, commission agents) and run each rooftop's deals in
    every state and a manufacturer's rebate claim through the buttons as
    the sales staff and the accountant would (scripts/demo_data/deals.py)"""
    return deal_data.load(
        config, SEED, companies, warehouses, customers, group_data.STAFF,
        group_data.TIMEZONE)


def load_leads(config, companies, warehouses, customers):
    """Set up the lead pools, their reclaim rules, the sources, the
    autoresponses and the lead mailbox, and work each rooftop's leads of
    the day in every state through the buttons as the salespeople and
    their managers would (scripts/demo_data/leads.py)"""
    return lead_data.load(
        config, SEED, companies, warehouses, customers, group_data.STAFF,
        group_data.TIMEZONE)


if __name__ == '__main__':
    main()
