# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re
from sql import Null

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import PartNumberError, SupersessionError

_in = fields.SQL_OPERATORS['in']
_NOT_NUMBER = re.compile(r'[^0-9A-Z]')
_NOT_PATTERN = re.compile(r'[^0-9A-Z%]')


def normalize_number(number):
    """Return the part number without separators and in upper case, as
    parts are found and kept unique by it"""
    if number is None:
        return None
    return _NOT_NUMBER.sub('', number.upper()) or None


def normalize_pattern(pattern):
    "Return the LIKE pattern of a number typed with separators"
    pattern = _NOT_PATTERN.sub('', pattern.upper())
    if pattern.strip('%'):
        return pattern


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    part = fields.Boolean(
        "Part",
        states={
            'invisible': Eval('type') != 'goods',
            },
        help="A spare part or accessory of a manufacturer, sold at the "
        "parts counter and used by the workshop.")
    part_manufacturer = fields.Many2One(
        'party.party', "Manufacturer", ondelete='RESTRICT',
        states={
            'invisible': ~Eval('part'),
            'required': Bool(Eval('part')),
            },
        help="The manufacturer whose part number this is.")
    part_number = fields.Char(
        "Part Number", strip=True,
        states={
            'invisible': ~Eval('part'),
            'required': Bool(Eval('part')),
            },
        help="The manufacturer's (OEM) part number, as the manufacturer "
        "writes it.")
    part_number_key = fields.Char(
        "Part Number Key", readonly=True, strip=False,
        help="The part number without separators and in upper case: "
        "\"1K0 615 301 AA\" and \"1k0-615-301aa\" are the same number.")
    part_discount_group = fields.Many2One(
        'dms.part.discount_group', "Discount Group", ondelete='RESTRICT',
        domain=[
            ('manufacturer', '=', Eval('part_manufacturer', -1)),
            ],
        states={
            'invisible': ~Eval('part'),
            },
        help="The manufacturer's discount group of the part, which sets the "
        "dealer's purchase discount and the customers' discount.")
    fitments = fields.One2Many(
        'dms.part.fitment', 'template', "Fits",
        states={
            'invisible': ~Eval('part'),
            },
        help="The makes, models and variants the part fits.")
    bins = fields.One2Many(
        'dms.part.bin', 'template', "Bins",
        states={
            'invisible': ~Eval('part'),
            },
        help="Where the part is kept in each warehouse.")
    part_replaced_by = fields.Function(fields.Many2One(
            'product.product', "Superseded By",
            domain=[
                ('template', '!=', Eval('id', -1)),
                ('template.part', '=', True),
                ],
            states={
                'invisible': ~Eval('part'),
                }),
        'get_part_supersession', setter='set_part_supersession')
    part_replaced_date = fields.Function(fields.Date(
            "Superseded On",
            states={
                'invisible': ~Eval('part_replaced_by'),
                }),
        'get_part_supersession', setter='set_part_supersession')
    part_sell_old_stock = fields.Function(fields.Boolean(
            "Sell Old Stock",
            states={
                'invisible': ~Eval('part_replaced_by'),
                }),
        'get_part_supersession', setter='set_part_supersession')
    part_chain = fields.Function(fields.Char(
            "Supersession Chain",
            states={
                'invisible': ~Eval('part_replaced_by'),
                }),
        'get_part_supersession')
    part_newest = fields.Function(fields.Many2One(
            'product.product', "Newest Part",
            states={
                'invisible': ~Eval('part_replaced_by'),
                }),
        'get_part_supersession')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('part_number_unique',
                Unique(t, t.part_manufacturer, t.part_number_key),
                'dms_parts.msg_part_number_unique'),
            ]
        # the unique constraint's index finds a manufacturer's number
        cls._sql_indexes.update({
                Index(t, (t.part_number_key, Index.Similarity())),
                })

    @classmethod
    def default_part(cls):
        return Transaction().context.get('default_part', False)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'part_number' in values:
            values['part_number_key'] = normalize_number(
                values['part_number'])
        if mode == 'create' and values.get('part'):
            # before the database's unique constraint, to name the parts
            label = ' '.join(filter(None, [
                        values.get('part_number')
                        and f"[{values['part_number']}]",
                        values.get('name')]))
            cls.check_part_number([(label, values.get('part_number'),
                        values.get('part_manufacturer'), None)])
        return values

    @classmethod
    def check_modification(
            cls, mode, templates, values=None, external=False):
        super().check_modification(
            mode, templates, values=values, external=external)
        if mode == 'write' and values.keys() & {
                'part', 'part_number', 'part_manufacturer'}:
            cls.check_part_number([(
                        t.rec_name,
                        values.get('part_number', t.part_number),
                        values.get('part_manufacturer',
                            t.part_manufacturer and t.part_manufacturer.id),
                        t.id)
                    for t in templates if values.get('part', t.part)])

    @classmethod
    def check_part_number(cls, entries):
        """Refuse a part without number or with the number of another part
        of its manufacturer; entries are (label, number, manufacturer id,
        id of the template or None)"""
        pool = Pool()
        Party = pool.get('party.party')
        for label, number, _, _ in entries:
            if not normalize_number(number):
                raise PartNumberError(gettext(
                        'dms_parts.msg_part_number_required', part=label))
        for sub_entries in grouped_slice(
                entries, MAX_QUERY_PARAMS):
            sub_entries = list(sub_entries)
            others = cls.search([
                    ('part_number_key', 'in',
                        [normalize_number(e[1]) for e in sub_entries]),
                    ('part_manufacturer', 'in',
                        list({e[2] for e in sub_entries if e[2]})),
                    ])
            taken = {
                (t.part_manufacturer.id, t.part_number_key): t
                for t in others}
            for label, number, manufacturer, id_ in sub_entries:
                other = taken.get((manufacturer, normalize_number(number)))
                if other and other.id != id_:
                    raise PartNumberError(gettext(
                            'dms_parts.msg_part_number_taken',
                            part=label, number=number,
                            other=other.rec_name,
                            manufacturer=Party(manufacturer).rec_name))

    def get_rec_name(self, name):
        if self.part and self.part_number:
            return f'[{self.part_number}] {self.name}'
        return super().get_rec_name(name)

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        if (operator in {'like', 'ilike'} and isinstance(operand, str)
                and (pattern := normalize_pattern(operand))):
            domain.append(('part_number_key', 'like', pattern))
        return domain

    @classmethod
    def get_part_supersession(cls, templates, names):
        result = {n: {t.id: None for t in templates} for n in names}
        for template in templates:
            if not template.part or len(template.products) != 1:
                continue
            product, = template.products
            for name in names:
                value = getattr(product, name[len('part_'):])
                result[name][template.id] = getattr(value, 'id', value)
        return result

    @classmethod
    def set_part_supersession(cls, templates, name, value):
        pool = Pool()
        Product = pool.get('product.product')
        products = [p for t in templates for p in t.products]
        if products:
            Product.write(products, {name[len('part_'):]: value})

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="part"]', 'states', {
                    'invisible': ~Eval('part'),
                    }),
            ]


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    replaced_date = fields.Date(
        "Superseded On",
        states={
            'invisible': ~Eval('replaced_by'),
            },
        help="When the manufacturer superseded the part.")
    sell_old_stock = fields.Boolean(
        "Sell Old Stock",
        states={
            'invisible': ~Eval('replaced_by'),
            },
        help="Whether the stock of the superseded part may still be sold; "
        "otherwise the counter offers the newest part.")
    chain = fields.Function(fields.Char(
            "Supersession Chain",
            states={
                'invisible': ~Eval('replaced_by'),
                }),
        'get_chain')
    newest = fields.Function(fields.Many2One(
            'product.product', "Newest Part",
            states={
                'invisible': ~Eval('replaced_by'),
                }),
        'get_chain')
    part_number = fields.Function(fields.Char(
            "Part Number",
            states={
                'invisible': ~Eval('part'),
                }),
        'get_part_number', searcher='search_part_number')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.replaced_by.domain = [
            cls.replaced_by.domain,
            If(Eval('part'), ('part', '=', True), ()),
            ]

    @classmethod
    def default_sell_old_stock(cls):
        return True

    @classmethod
    def successors(cls, product_ids):
        """Return the replacement chain of each product id: the ids of the
        parts replacing it, the newest last (one query per generation)"""
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        replaced_by = {}
        todo = set(product_ids)
        while todo:
            for sub_ids in grouped_slice(todo, MAX_QUERY_PARAMS):
                cursor.execute(*table.select(table.id, table.replaced_by,
                        where=_in(table.id, sub_ids)))
                replaced_by.update(cursor)
            todo = {
                i for i in replaced_by.values()
                if i is not None and i not in replaced_by}
        chains = {}
        for product_id in product_ids:
            chain, seen = [], {product_id}
            successor = replaced_by.get(product_id)
            while successor is not None and successor not in seen:
                chain.append(successor)
                seen.add(successor)
                successor = replaced_by.get(successor)
            chains[product_id] = chain
        return chains

    @classmethod
    def get_chain(cls, products, names):
        chains = cls.successors([p.id for p in products])
        successors = {
            p.id: p for p in cls.browse(
                {i for c in chains.values() for i in c})}
        result = {n: {} for n in names}
        for product in products:
            chain = [successors[i] for i in chains[product.id]]
            if 'chain' in names:
                result['chain'][product.id] = ' → '.join(
                    p.part_number or p.rec_name for p in [product] + chain
                    ) if chain else None
            if 'newest' in names:
                result['newest'][product.id] = (
                    chain[-1].id if chain else None)
        return result

    def get_part_number(self, name):
        return self.template.part_number

    def get_rec_name(self, name):
        if self.template.part and self.template.part_number:
            return f'[{self.template.part_number}] {self.name}'
        return super().get_rec_name(name)

    @classmethod
    def search_part_number(cls, name, clause):
        """Find the parts whose number matches with or without separators,
        and the parts superseding them"""
        pool = Pool()
        Template = pool.get('product.template')
        _, operator, operand, *extra = clause
        if operator not in {'like', 'ilike', '='} or not isinstance(
                operand, str):
            return [('template.part_number', operator, operand, *extra)]
        if operator == '=':
            pattern = normalize_number(operand)
        else:
            pattern = normalize_pattern(operand)
        if not pattern:
            return [('id', '=', None)]
        key_operator = '=' if operator == '=' else 'like'
        # only the few superseded parts among the matches are followed
        product = cls.__table__()
        template = Template.__table__()
        cursor = Transaction().connection.cursor()
        if key_operator == '=':
            where = template.part_number_key == pattern
        else:
            where = template.part_number_key.like(pattern)
        cursor.execute(*product.join(template,
                condition=product.template == template.id
                ).select(product.id,
                where=where & (product.replaced_by != Null)))
        successors = cls.successors([i for i, in cursor])
        domain = [('template.part_number_key', key_operator, pattern)]
        successor_ids = {i for c in successors.values() for i in c}
        if successor_ids:
            domain = ['OR', domain, ('id', 'in', list(successor_ids))]
        return domain

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        if (operator in {'like', 'ilike'} and isinstance(operand, str)
                and normalize_pattern(operand)):
            domain.append(('part_number', operator, operand))
        return domain

    @classmethod
    def validate_fields(cls, products, field_names):
        # before the platform's recursion check, to name the numbers
        if 'replaced_by' in field_names:
            cls.check_supersession(products)
        super().validate_fields(products, field_names)

    @classmethod
    def check_supersession(cls, products):
        "Refuse a supersession that closes a cycle, naming its numbers"
        chains = cls.successors([p.id for p in products if p.replaced_by])
        for product in products:
            chain = chains.get(product.id)
            if not chain:
                continue
            if product.replaced_by == product:
                raise SupersessionError(gettext(
                        'dms_parts.msg_supersession_itself',
                        part=product.rec_name))
            # successors() stops where a number comes back
            last = cls(chain[-1])
            if last.replaced_by and last.replaced_by.id in (
                    [product.id] + chain):
                cycle = [product] + cls.browse(chain) + [last.replaced_by]
                raise SupersessionError(gettext(
                        'dms_parts.msg_supersession_cycle',
                        part=product.rec_name,
                        cycle=' → '.join(
                            p.part_number or p.rec_name for p in cycle)))
