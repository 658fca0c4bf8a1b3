# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from sql import Literal, Null
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.product import price_digits
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import PriceFileError
from .product import normalize_number

# The columns of a price file, in the order of the default header
COLUMNS = [
    ('number', 'part_number', True),
    ('description', 'description', True),
    ('price', 'list_price', True),
    ('currency', 'currency', False),
    ('superseded_by', 'superseded_by', False),
    ('discount_group', 'discount_group', False),
    ('unit', 'unit', False),
    ]
ENCODINGS = [
    ('utf-8', "UTF-8"),
    ('cp1252', "Windows-1252"),
    ('iso-8859-1', "ISO-8859-1 (Latin-1)"),
    ('iso-8859-15', "ISO-8859-15 (Latin-9)"),
    ]
DELIMITERS = [
    (';', "Semicolon"),
    (',', "Comma"),
    ('\t', "Tab"),
    ('|', "Vertical Bar"),
    ]
DECIMAL_SEPARATORS = [
    ('.', "Point"),
    (',', "Comma"),
    ]
_QUANTUM = Decimal(1).scaleb(-price_digits[1])


class ImportProfile(ModelSQL, ModelView):
    __name__ = 'dms.part.import.profile'
    __string__ = "Price File Profile"

    name = fields.Char("Name", required=True)
    manufacturer = fields.Many2One(
        'party.party', "Manufacturer", required=True, ondelete='RESTRICT')
    encoding = fields.Selection(ENCODINGS, "Encoding", required=True)
    delimiter = fields.Selection(DELIMITERS, "Delimiter", required=True)
    decimal_separator = fields.Selection(
        DECIMAL_SEPARATORS, "Decimal Separator", required=True,
        help="With a comma, points are taken as thousands separators.")
    number_column = fields.Char("Part Number Column", required=True)
    description_column = fields.Char("Description Column", required=True)
    price_column = fields.Char("List Price Column", required=True)
    currency_column = fields.Char("Currency Column",
        help="Empty values are in the company's currency.")
    superseded_by_column = fields.Char("Superseded By Column")
    discount_group_column = fields.Char("Discount Group Column")
    unit_column = fields.Char("Unit Column",
        help="The symbol of the unit; empty values are units.")
    account_category = fields.Many2One(
        'product.category', "Account Category", ondelete='RESTRICT',
        domain=[
            ('accounting', '=', True),
            ],
        help="The account category of the parts the file creates: their "
        "revenue and expense accounts and their taxes.")
    price_files = fields.One2Many(
        'dms.part.price_file', 'profile', "Imported Files", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'import_file': RPC(instantiate=0, readonly=False),
                })

    @classmethod
    def default_encoding(cls):
        return 'utf-8'

    @classmethod
    def default_delimiter(cls):
        return ';'

    @classmethod
    def default_decimal_separator(cls):
        return '.'

    for _key, _header, _ in COLUMNS:
        locals()[f'default_{_key}_column'] = classmethod(
            lambda cls, h=_header: h)
    del _key, _header, _

    @classmethod
    def import_file(cls, profiles, company, data, filename, valid_rows=False):
        """Import the price file data (bytes) for the company; return the
        summary as a dictionary with the id of the imported file record"""
        pool = Pool()
        Company = pool.get('company.company')
        PriceFile = pool.get('dms.part.price_file')
        profile, = profiles
        company = Company(company)
        price_file = PriceFileImport(profile, company, filename)
        rows = price_file.read(data)
        price_file.check(rows)
        summary = {
            'created': 0, 'updated': 0, 'unchanged': 0, 'superseded': 0,
            'refused': len(price_file.bad_lines),
            'report': price_file.report(),
            'imported': False,
            'price_file': None,
            }
        if price_file.bad_lines and not valid_rows:
            return summary
        summary.update(price_file.write(rows))
        # the record of what the import did is the import's to write
        with without_check_access():
            record, = PriceFile.create([{
                        'profile': profile.id,
                        'company': company.id,
                        'filename': filename,
                        'created': summary['created'],
                        'updated': summary['updated'],
                        'unchanged': summary['unchanged'],
                        'superseded': summary['superseded'],
                        'refused': summary['refused'],
                        'report': summary['report'],
                        }])
        summary['imported'] = True
        summary['price_file'] = record.id
        return summary


class PriceFile(ModelSQL, ModelView):
    __name__ = 'dms.part.price_file'
    __string__ = "Price File"

    profile = fields.Many2One(
        'dms.part.import.profile', "Profile", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True,
        ondelete='CASCADE')
    filename = fields.Char("File", readonly=True)
    created = fields.Integer("Created", readonly=True)
    updated = fields.Integer("Updated", readonly=True)
    unchanged = fields.Integer("Unchanged", readonly=True)
    superseded = fields.Integer("Superseded", readonly=True)
    refused = fields.Integer("Refused", readonly=True,
        help="The bad rows left out when the good rows were imported.")
    report = fields.Text("Refused Rows", readonly=True)
    date = fields.Function(fields.Timestamp("Imported At"), 'get_date')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('create_date', 'DESC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_date(self, name):
        return self.create_date

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and mode in {'create', 'write'}:
            raise AccessError(gettext(
                    'dms_parts.msg_price_file_external',
                    price_file=', '.join(r.rec_name for r in records or [])))

    def get_rec_name(self, name):
        return self.filename or str(self.id)


class Row:
    __slots__ = ('line', 'number', 'key', 'description', 'price',
        'currency', 'superseded_by', 'superseded_number', 'discount_group',
        'unit')


class PriceFileImport:
    """Read, check and write a manufacturer's price file for a company:
    every row is checked before anything is written, and the writing is a
    few SQL statements per slice of rows"""

    def __init__(self, profile, company, filename):
        self.profile = profile
        self.company = company
        self.manufacturer = profile.manufacturer
        self.filename = filename or ''
        self.errors = []
        self.bad_lines = set()

    def error(self, line, column, message, **values):
        self.errors.append((line, column, gettext(
                    f'dms_parts.msg_price_file_{message}', **values)))
        self.bad_lines.add(line)

    def read(self, data):
        "Return the rows of data, refusing a file that cannot be read"
        profile = self.profile
        encoding = profile.encoding
        try:
            text = data.decode(
                'utf-8-sig' if encoding == 'utf-8' else encoding)
        except UnicodeDecodeError as exception:
            line = data[:exception.start].count(b'\n') + 1
            raise PriceFileError(gettext(
                    'dms_parts.msg_price_file_encoding',
                    file=self.filename, profile=profile.rec_name,
                    encoding=encoding, line=line))
        reader = csv.reader(io.StringIO(text, newline=''),
            delimiter=profile.delimiter)
        header = next(reader, None)
        if not header:
            raise PriceFileError(gettext(
                    'dms_parts.msg_price_file_empty', file=self.filename))
        header = [h.strip() for h in header]
        positions = {}
        missing = []
        for key, _, required in COLUMNS:
            name = getattr(profile, f'{key}_column')
            if name and name in header:
                positions[key] = header.index(name)
            elif required:
                missing.append(name)
        if missing:
            raise PriceFileError(gettext(
                    'dms_parts.msg_price_file_columns',
                    file=self.filename, profile=profile.rec_name,
                    columns=', '.join(f'"{m}"' for m in missing),
                    header=profile.delimiter.join(header)))
        self.columns = {
            key: getattr(profile, f'{key}_column') for key in positions}
        width = len(header)
        decimal_comma = profile.decimal_separator == ','
        rows = []
        get = positions
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != width:
                self.error(line, '', 'width',
                    count=len(values), expected=width)
                continue
            row = Row()
            row.line = line
            row.number = values[get['number']].strip()
            row.key = normalize_number(row.number)
            row.description = values[get['description']].strip()
            price = values[get['price']].strip()
            if decimal_comma:
                price = price.replace('.', '').replace(',', '.')
            try:
                row.price = Decimal(price)
            except InvalidOperation:
                row.price = price
            row.currency = (values[get['currency']].strip().upper()
                if 'currency' in get else '')
            row.superseded_number = (values[get['superseded_by']].strip()
                if 'superseded_by' in get else '')
            row.superseded_by = normalize_number(row.superseded_number)
            row.discount_group = (values[get['discount_group']].strip()
                if 'discount_group' in get else '')
            row.unit = (values[get['unit']].strip()
                if 'unit' in get else '')
            rows.append(row)
        return rows

    def check(self, rows):
        "Record every bad row, with its line, column and reason"
        pool = Pool()
        Currency = pool.get('currency.currency')
        Uom = pool.get('product.uom')
        Date = pool.get('ir.date')
        columns = self.columns
        company_currency = self.company.currency
        currencies = {c.code: c for c in Currency.search([])}
        self.rates = {company_currency.code: Decimal(1)}
        with Transaction().set_context(date=Date.today()):
            for code, currency in currencies.items():
                if code not in self.rates:
                    rate = Currency.compute(
                        currency, Decimal(1), company_currency,
                        round=False)
                    if rate is not None:
                        self.rates[code] = rate
        self.units = {}
        for uom in Uom.search([]):
            self.units.setdefault(uom.symbol, uom.id)
            self.units.setdefault(uom.symbol.lower(), uom.id)
        lines = {}
        for row in rows:
            if not row.key:
                self.error(row.line, columns['number'], 'no_number')
                continue
            if row.key in lines:
                self.error(row.line, columns['number'], 'duplicate',
                    number=row.number, other=lines[row.key].line)
            else:
                lines[row.key] = row
            if not row.description:
                self.error(row.line, columns['description'],
                    'no_description', number=row.number)
            if not isinstance(row.price, Decimal) or not (
                    row.price.is_finite()):
                self.error(row.line, columns['price'], 'price_not_number',
                    number=row.number, value=row.price)
            elif row.price < 0:
                self.error(row.line, columns['price'], 'price_negative',
                    number=row.number, value=row.price)
            else:
                currency = row.currency or company_currency.code
                if currency not in currencies:
                    self.error(row.line, columns['currency'],
                        'currency_unknown', number=row.number,
                        value=row.currency)
                elif currency not in self.rates:
                    self.error(row.line, columns['currency'], 'currency_rate',
                        number=row.number, value=row.currency,
                        company_currency=company_currency.code)
                else:
                    row.price = (row.price * self.rates[currency]).quantize(
                        _QUANTUM)
            if row.unit and row.unit not in self.units and (
                    row.unit.lower() not in self.units):
                self.error(row.line, columns['unit'], 'unit_unknown',
                    number=row.number, value=row.unit)
        self.check_supersessions(rows, lines)

    def known_parts(self):
        """Return the manufacturer's parts by number key: the template, its
        product, name, discount group, supersession and list price"""
        pool = Pool()
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        ListPrice = pool.get('product.list_price')
        template = Template.__table__()
        product = Product.__table__()
        list_price = ListPrice.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*template.join(product,
                condition=product.template == template.id
                ).join(list_price, 'LEFT',
                condition=(list_price.template == template.id)
                & (list_price.company == self.company.id)
                ).select(
                template.part_number_key, template.id, product.id,
                template.name, template.part_discount_group,
                product.replaced_by, list_price.id, list_price.list_price,
                template.part_number,
                where=(template.part_manufacturer == self.manufacturer.id)
                & (template.part_number_key != Null),
                order_by=[product.id.desc]))
        return {r[0]: r for r in cursor}

    def check_supersessions(self, rows, lines):
        "Refuse supersessions to unknown numbers, to itself or in a cycle"
        columns = self.columns
        self.known = known = self.known_parts()
        by_product = {r[2]: k for k, r in known.items()}
        # the supersessions once the file is imported
        successor = {
            k: by_product.get(r[5]) for k, r in known.items() if r[5]}
        good = {k for k, r in lines.items() if r.line not in self.bad_lines}
        numbers = {k: r[8] for k, r in known.items()}
        numbers.update((k, r.number) for k, r in lines.items())
        for key, row in lines.items():
            if row.superseded_by:
                successor[key] = row.superseded_by
        for key, row in lines.items():
            new = row.superseded_by
            if not new:
                continue
            column = columns['superseded_by']
            if new == key:
                self.error(row.line, column, 'supersession_itself',
                    number=row.number)
            elif new not in known and new not in good:
                self.error(row.line, column, 'supersession_unknown',
                    number=row.number, new=row.superseded_number)
            else:
                chain, seen = [key], {key}
                while (next_ := successor.get(chain[-1])) is not None:
                    if next_ in seen:
                        chain.append(next_)
                        if next_ == key:
                            self.error(row.line, column,
                                'supersession_cycle', number=row.number,
                                chain=' → '.join(
                                    numbers.get(k, k) for k in chain))
                        break
                    chain.append(next_)
                    seen.add(next_)

    def report(self):
        return '\n'.join(
            gettext('dms_parts.msg_price_file_row',
                line=line, column=column, reason=reason)
            for line, column, reason in sorted(
                self.errors, key=lambda e: e[0]))

    def write(self, rows):
        "Write the good rows and return what was done"
        pool = Pool()
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        ListPrice = pool.get('product.list_price')
        ModelData = pool.get('ir.model.data')
        Date = pool.get('ir.date')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        user = transaction.user
        today = Date.today()

        rows = [r for r in rows if r.line not in self.bad_lines]
        known = self.known
        groups = self.discount_groups({r.discount_group for r in rows})
        unit_id = ModelData.get_id('product', 'uom_unit')
        units = self.units

        template = Template.__table__()
        product = Product.__table__()
        list_price = ListPrice.__table__()

        # sorted by number: the indexes on it fill faster in their order
        new_rows = sorted(
            (r for r in rows if r.key not in known), key=lambda r: r.key)
        new_keys = {r.key for r in new_rows}
        result = {'created': len(new_rows), 'updated': 0, 'unchanged': 0,
            'superseded': 0}
        if new_rows:
            defaults = self.template_defaults(Template)
            names = ['part_number', 'part_number_key', 'part_manufacturer',
                'part_discount_group', 'default_uom', 'name']
            names += [n for n in ['sale_uom', 'purchase_uom']
                if n in Template._fields]
            category = self.profile.account_category
            if category:
                names.append('account_category')
            uoms = len(names) - 6 - bool(category)
            extra = ([category.id] if category else []) + list(
                defaults.values())
            # the ids taken beforehand where the database can, so that the
            # new parts need not be read back
            ids = self.next_ids(Template, len(new_rows))

            def values():
                for row in new_rows:
                    uom = (units.get(row.unit) or units.get(row.unit.lower())
                        if row.unit else unit_id)
                    yield [row.number, row.key, self.manufacturer.id,
                        groups.get(row.discount_group), uom,
                        row.description] + [uom] * uoms + extra
            self.insert_many(template,
                [getattr(template, n) for n in names + list(defaults)],
                values(), ids=ids)
            if not ids:
                cursor.execute(*template.select(
                        template.part_number_key, template.id,
                        where=(
                            template.part_manufacturer == self.manufacturer.id)
                        & (template.part_number_key != Null)))
                by_key = dict(cursor)
                ids = [by_key[r.key] for r in new_rows]
                del by_key
            defaults = self.template_defaults(Product)
            extra = list(defaults.values())
            product_ids = self.next_ids(Product, len(new_rows))
            self.insert_many(product,
                [product.template] + [getattr(product, n) for n in defaults],
                ([i] + extra for i in ids),
                ids=product_ids)
            if product_ids:
                for row, template_id, product_id in zip(
                        new_rows, ids, product_ids):
                    known[row.key] = (row.key, template_id, product_id,
                        row.description, groups.get(row.discount_group),
                        None, None, None, row.number)
            else:
                known.update(self.known_parts())
            del ids, product_ids

        # names, discount groups and prices
        name_updates, price_updates, price_inserts = [], [], []
        supersessions = []
        for row in rows:
            (_, template_id, product_id, name, group, replaced_by, price_id,
                price, _) = known[row.key]
            group_id = groups.get(row.discount_group) or group
            changed = False
            if (name, group) != (row.description, group_id):
                name_updates.append((row.description, group_id, template_id))
                changed = True
            if price_id is None:
                price_inserts.append(
                    (template_id, self.company.id, row.price))
                changed = True
            elif price is None or Decimal(str(price)) != row.price:
                price_updates.append((row.price, price_id))
                changed = True
            if row.superseded_by in known:
                new_id = known[row.superseded_by][2]
                if replaced_by != new_id:
                    supersessions.append((new_id, today, user, product_id))
                    changed = True
            if row.key in new_keys:
                continue
            if changed:
                result['updated'] += 1
            else:
                result['unchanged'] += 1
        self.update_many(template,
            [template.name, template.part_discount_group],
            [(n, g, user, i) for n, g, i in name_updates])
        self.update_many(list_price, [list_price.list_price],
            [(p, user, i) for p, i in price_updates])
        self.insert_many(list_price,
            [list_price.template, list_price.company, list_price.list_price],
            price_inserts)

        self.update_many(product,
            [product.replaced_by, product.replaced_date], supersessions)
        result['superseded'] = len(supersessions)
        self.add_supplier([known[r.key][1] for r in rows])
        return result

    def add_supplier(self, template_ids):
        "Make the manufacturer the rooftop's supplier of the parts"
        pool = Pool()
        ProductSupplier = pool.get('purchase.product_supplier')
        product_supplier = ProductSupplier.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*product_supplier.select(product_supplier.template,
                where=(product_supplier.party == self.manufacturer.id)
                & (product_supplier.company == self.company.id)))
        supplied = {t for t, in cursor}
        defaults = self.template_defaults(ProductSupplier)
        for name in ['party', 'company', 'product']:
            defaults.pop(name, None)
        self.insert_many(product_supplier,
            [product_supplier.template, product_supplier.party,
                product_supplier.company]
            + [getattr(product_supplier, n) for n in defaults],
            [[t, self.manufacturer.id, self.company.id]
                + list(defaults.values())
                for t in sorted(set(template_ids) - supplied)])

    @staticmethod
    def next_ids(Model, count):
        """Return count new ids of Model, or None where the database gives
        them only as it inserts"""
        transaction = Transaction()
        ids = transaction.database.nextid(
            transaction.connection, Model._table, count)
        if ids is not None and count == 1:
            ids = [ids]
        return ids

    @staticmethod
    def insert_many(table, columns, rows, ids=None):
        """Insert a row of table for each row of values (an iterable) of the
        columns, with create_uid and create_date, and the ids if given"""
        if not rows:
            return
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        columns = columns + [table.create_uid, table.create_date]
        # one time for the whole import, not the database clock per row
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        extra = (transaction.user, now)
        if ids:
            columns.append(table.id)
            rows = (tuple(r) + extra + (i,) for r, i in zip(rows, ids))
        else:
            rows = (tuple(r) + extra for r in rows)
        if backend.name == 'postgresql':
            # COPY streams the rows without a statement run for each
            names = ', '.join(f'"{c.name}"' for c in columns)
            with cursor.copy(
                    f'COPY "{table._name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql, _ = tuple(
                table.insert(columns, [[Literal(0)] * len(columns)]))
            cursor.executemany(sql, rows)

    @staticmethod
    def update_many(table, columns, rows):
        """Update the columns of table, then write_uid and write_date, for
        each row of values ending with the user and the id"""
        if not rows:
            return
        cursor = Transaction().connection.cursor()
        # a parameter per value, then the user and the id
        query = table.update(
            columns + [table.write_uid, table.write_date],
            [Literal(0)] * (len(columns) + 1) + [CurrentTimestamp()],
            where=table.id == Literal(0))
        sql, _ = tuple(query)
        cursor.executemany(sql, rows)

    def discount_groups(self, codes):
        "Return the ids of the manufacturer's discount groups, created if new"
        pool = Pool()
        DiscountGroup = pool.get('dms.part.discount_group')
        codes = set(filter(None, codes))
        groups = {g.code: g.id for g in DiscountGroup.search([
                    ('manufacturer', '=', self.manufacturer.id),
                    ])}
        new = codes - set(groups)
        if new:
            for group in DiscountGroup.create([{
                            'manufacturer': self.manufacturer.id,
                            'code': code,
                            } for code in sorted(new)]):
                groups[group.code] = group.id
        return groups

    @staticmethod
    def template_defaults(Model):
        """Return the default values of the stored columns of Model that are
        not set by the import, as the ORM would set them"""
        skip = {'id', 'create_uid', 'create_date', 'write_uid',
            'write_date', 'name', 'part_number', 'part_number_key',
            'part_manufacturer', 'part_discount_group', 'default_uom',
            'sale_uom', 'purchase_uom', 'template', 'suffix_code',
            'account_category'}
        names = [n for n, f in Model._fields.items()
            if n not in skip and not hasattr(f, 'set')
            and f._type not in {'one2many', 'many2many'}
            and not isinstance(f, fields.Function)]
        values = Model.default_get(names, with_rec_name=False)
        values['part'] = True if 'part' in names else values.get('part')
        values['type'] = 'goods' if 'type' in names else None
        if 'active' in names:
            values['active'] = True
        for name in ['salable', 'purchasable']:
            if name in names:
                values[name] = True
        return {n: Model._fields[n].sql_format(values[n])
            for n in names if values.get(n) is not None}


class ImportStart(ModelView):
    __name__ = 'dms.part.import.start'
    __string__ = "Import Price File"

    profile = fields.Many2One(
        'dms.part.import.profile', "Profile", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    data = fields.Binary("File", required=True, filename='filename')
    filename = fields.Char("File Name")
    valid_rows = fields.Boolean("Import Good Rows",
        help="Import the good rows of a file with bad rows, and keep the "
        "report of the bad ones; otherwise a bad row refuses the file.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class ImportDone(ModelView):
    __name__ = 'dms.part.import.done'
    __string__ = "Price File Imported"

    imported = fields.Boolean("Imported", readonly=True)
    summary = fields.Text("Summary", readonly=True)
    report = fields.Text("Refused Rows", readonly=True,
        states={
            'invisible': ~Eval('report'),
            })


class Import(Wizard):
    __name__ = 'dms.part.import'
    __string__ = "Import Price File"

    start = StateView('dms.part.import.start',
        'dms_parts.import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('dms.part.import.done',
        'dms_parts.import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        pool = Pool()
        Profile = pool.get('dms.part.import.profile')
        self.result = Profile.import_file([self.start.profile],
            self.start.company.id, self.start.data, self.start.filename,
            valid_rows=self.start.valid_rows)
        return 'done'

    def default_done(self, fields):
        result = self.result
        if result['imported']:
            summary = gettext('dms_parts.msg_price_file_imported',
                file=self.start.filename or '', **{k: result[k] for k in [
                        'created', 'updated', 'unchanged', 'superseded',
                        'refused']})
        else:
            summary = gettext('dms_parts.msg_price_file_refused',
                file=self.start.filename or '', refused=result['refused'])
        return {
            'imported': result['imported'],
            'summary': summary,
            'report': result['report'],
            }
