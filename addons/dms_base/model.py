# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.model.modelstorage import SizeValidationError
from trytond.pool import Pool
from trytond.tools.domain_inversion import is_leaf
from trytond.transaction import Transaction

__all__ = ['ReadonlyFieldsMixin', 'FieldSizeMixin', 'RelationRulesMixin']

_RELATIONS = {'many2one', 'one2one', 'one2many', 'many2many'}
_BASE_FIELDS = {
    'id', 'rec_name', 'create_uid', 'create_date', 'write_uid', 'write_date'}


class SizeError(SizeValidationError):
    pass


def _negative(operator):
    return operator.startswith('!') or operator.startswith('not ')


class ReadonlyFieldsMixin:
    """Refuse readonly and computed fields written over RPC

    Fields the model fills itself on create (a number, an amount) are named
    in _system_create_fields: they are checked against what the caller
    gave, before the model fills them."""
    __slots__ = ()
    _system_create_fields = frozenset()

    @classmethod
    def readonly_field_names(cls):
        names = set()
        for name, field in cls._fields.items():
            if name in _BASE_FIELDS:
                continue
            if isinstance(field, fields.Function):
                if not field.setter:
                    names.add(name)
            elif field.readonly is True:
                names.add(name)
        return names

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        transaction = Transaction()
        if mode == 'create' and transaction.user and transaction.check_access:
            defaults = cls.default_get(
                list(cls._system_create_fields), with_rec_name=False)
            for name in sorted(cls._system_create_fields & values.keys()):
                if not cls._is_default(
                        name, values[name], defaults.get(name)):
                    raise AccessError(gettext(
                            'dms_base.msg_field_readonly',
                            field=cls.__names__(name)['field'],
                            record=values.get(cls._rec_name) or '',
                            model=cls.__names__()['model']))
        return values

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not external:
            return
        names = cls.readonly_field_names()
        if mode == 'write':
            written = sorted(values.keys() & names)
            if written and records:
                cls._raise_readonly(records[0], written[0])
        elif mode == 'create':
            # Stored fields only: the platform refuses computed ones itself
            stored = sorted(n for n in names
                if not isinstance(cls._fields[n], fields.Function)
                and n not in cls._system_create_fields)
            defaults = cls.default_get(stored, with_rec_name=False)
            for record in records:
                for name in stored:
                    if not cls._is_default(
                            name, getattr(record, name), defaults.get(name)):
                        cls._raise_readonly(record, name)

    @classmethod
    def _is_default(cls, name, value, default):
        field = cls._fields[name]
        if field._type in {'one2many', 'many2many'}:
            return not value
        if field._type in {'many2one', 'one2one'}:
            value = getattr(value, 'id', value) if value else None
        elif field._type == 'reference':
            value = str(value) if value else None
        elif field._type == 'boolean':
            return bool(value) == bool(default)
        return (value or None) == (default or None)

    @classmethod
    def _raise_readonly(cls, record, name):
        raise AccessError(gettext(
                'dms_base.msg_field_readonly',
                field=cls.__names__(name)['field'],
                record=record.rec_name,
                model=cls.__names__()['model']))


class FieldSizeMixin:
    """Refuse a text longer than its field's size before it is written:
    the platform checks only after the write and repeats the whole text"""
    __slots__ = ()

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            cls.check_sizes(None, values)
        return values

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'write' and records:
            cls.check_sizes(records[0], values)

    @classmethod
    def check_sizes(cls, record, values):
        for name, value in values.items():
            field = cls._fields.get(name)
            size = getattr(field, 'size', None)
            if (isinstance(size, int) and isinstance(value, str)
                    and len(value) > size):
                names = cls.__names__(name)
                if record:
                    message = gettext('dms_base.msg_field_size',
                        field=names['field'], model=names['model'],
                        record=record.rec_name, length=len(value),
                        size=size, value=value[:40])
                else:
                    message = gettext('dms_base.msg_field_size_new',
                        field=names['field'], model=names['model'],
                        length=len(value), size=size, value=value[:40])
                raise SizeError(message)


class RelationRulesMixin:
    """Apply the target's record rules to searches through relations, which
    the platform skips, so no record reveals what it is linked to"""
    __slots__ = ()

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            domain = apply_relation_rules(cls, domain)
        return super().search(domain, offset=offset, limit=limit,
            order=order, count=count, query=query)


def apply_relation_rules(Model, domain):
    pool = Pool()
    Rule = pool.get('ir.rule')

    def convert(Model, domain):
        if is_leaf(domain):
            return convert_leaf(Model, domain)
        elif isinstance(domain, str):
            return domain
        return [convert(Model, d) for d in domain]

    def convert_leaf(Model, leaf):
        name, operator, value = leaf[:3]
        fname, _, target_name = name.partition('.')
        field = Model._fields.get(fname)
        if (field is None or field._type not in _RELATIONS
                or isinstance(field, fields.Function)
                or operator.endswith('child_of')
                or operator.endswith('parent_of')):
            return leaf
        Target = field.get_target()
        to_many = field._type in {'one2many', 'many2many'}
        if operator.endswith('where'):
            sub_domain = value
        elif target_name:
            sub_domain = [(target_name, operator, value, *leaf[3:])]
        elif isinstance(value, str):
            sub_domain = [('rec_name', operator, value)]
        elif value is None and operator in {'=', '!='} and to_many:
            sub_domain = []
        elif to_many:
            sub_domain = [('id', operator, value)]
        else:
            return leaf
        converted = convert(Target, sub_domain)
        rule = Rule.domain_get(Target.__name__, mode='read')
        if not rule and converted == sub_domain:
            return leaf
        if operator.endswith('where'):
            return (fname, operator, [converted, rule] if rule else converted)
        if not target_name and value is None and to_many:
            return (fname, 'where' if operator == '!=' else 'not where',
                rule or [])
        clause = (fname, 'where', [converted, rule] if rule else converted)
        if _negative(operator):
            if to_many:
                return ['OR', clause, (fname, 'not where', rule or [])]
            return ['OR', clause, (fname, '=', None)]
        return clause

    return convert(Model, domain)
