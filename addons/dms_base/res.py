# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def grant_group_companies(cls):
        """Give every Group Manager access to every company of the group.

        Set-based: one query finds the missing user/company pairs."""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Company = pool.get('company.company')
        UserGroup = pool.get('res.user-res.group')
        UserCompany = pool.get('res.user-company.company')
        cursor = Transaction().connection.cursor()

        try:
            group_manager = ModelData.get_id(
                'dms_base', 'group_group_manager')
        except KeyError:
            # the module is being activated
            return
        user_group = UserGroup.user_group_all_table()
        company = Company.__table__()
        user_company = UserCompany.__table__()

        query = (user_group
            .join(company, condition=Literal(True))
            .join(user_company, 'LEFT',
                condition=(user_company.user == user_group.user)
                & (user_company.company == company.id))
            .select(
                user_group.user, company.id,
                where=(user_group.group == group_manager)
                & (user_company.id == None),  # noqa: E711
                group_by=[user_group.user, company.id]))
        cursor.execute(*query)
        to_create = [{'user': u, 'company': c} for u, c in cursor]
        if not to_create:
            return
        with without_check_access():
            UserCompany.create(to_create)
            # Those without a current company work for the first one
            first = {}
            for values in to_create:
                first.setdefault(values['user'], values['company'])
            users = cls.search([
                    ('id', 'in', list(first)),
                    ('company', '=', None),
                    ])
            to_write = []
            for user in users:
                to_write.extend([[user], {'company': first[user.id]}])
            if to_write:
                cls.write(*to_write)


class UserGroup(metaclass=PoolMeta):
    __name__ = 'res.user-res.group'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        super().on_modification(mode, records, field_names=field_names)
        if mode in {'create', 'write'}:
            User.grant_group_companies()
