# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.operators import Exists

from trytond import backend
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access


def _group_manager():
    "Return the id of the Group Manager role or None while activating"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    try:
        return ModelData.get_id('dms_base', 'group_group_manager')
    except KeyError:
        return None


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def index_set_field(cls, name):
        index = super().index_set_field(name)
        if name == 'companies':
            # The companies given with the roles in one call are the user's
            # own: set them before the roles grant the missing ones
            index -= 1
        return index

    @classmethod
    def on_write(cls, users, values):
        callbacks = super().on_write(users, values)
        explicit = set()
        for action in values.get('companies') or []:
            if action[0] == 'add':
                explicit.update(action[1])
        if explicit:
            # Now, before any field is set: when the same call removes the
            # role, the granted companies are taken back as the roles are set
            cls._keep_companies(users, explicit)
        return callbacks

    @classmethod
    def _keep_companies(cls, users, company_ids):
        pool = Pool()
        UserCompany = pool.get('res.user-company.company')
        # The links are the administrator's, whoever changes the user
        with without_check_access():
            links = UserCompany.search([
                    ('user', 'in', [u.id for u in users]),
                    ('company', 'in', list(company_ids)),
                    ('granted_to_group_manager', '=', True),
                    ])
            if links:
                UserCompany.write(links, {
                        'granted_to_group_manager': False,
                        })

    @classmethod
    def grant_group_companies(cls):
        pool = Pool()
        Company = pool.get('company.company')
        UserGroup = pool.get('res.user-res.group')
        UserCompany = pool.get('res.user-company.company')
        cursor = Transaction().connection.cursor()

        group_manager = _group_manager()
        if group_manager is None:
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
        to_create = [{
                'user': u,
                'company': c,
                'granted_to_group_manager': True,
                } for u, c in cursor]
        if not to_create:
            return
        # Whoever grants the role, the user's companies follow it
        with without_check_access():
            UserCompany.create(to_create)
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

    @classmethod
    def revoke_group_companies(cls):
        pool = Pool()
        UserGroup = pool.get('res.user-res.group')
        UserCompany = pool.get('res.user-company.company')
        cursor = Transaction().connection.cursor()

        group_manager = _group_manager()
        if group_manager is None:
            return
        user_group = UserGroup.user_group_all_table()
        user_company = UserCompany.__table__()

        query = user_company.select(
            user_company.id, user_company.user,
            where=(user_company.granted_to_group_manager == Literal(True))
            & ~user_company.user.in_(user_group.select(
                    user_group.user,
                    where=user_group.group == group_manager)))
        cursor.execute(*query)
        link_ids, user_ids = set(), set()
        for link_id, user_id in cursor:
            link_ids.add(link_id)
            user_ids.add(user_id)
        if not link_ids:
            return
        # Whoever takes the role away, the companies it granted go with it
        with without_check_access():
            UserCompany.delete(UserCompany.browse(sorted(link_ids)))
            to_write = []
            for user in cls.browse(sorted(user_ids)):
                values = user._company_left_values()
                if values:
                    to_write.extend([[user], values])
            if to_write:
                cls.write(*to_write)

    def _company_left_values(self):
        companies = sorted(self.companies, key=lambda c: c.id)
        values = {}
        kept = [e for e in self.employees if e.company in companies]
        if len(kept) < len(self.employees):
            # Else the employees domain breaks, as in on_change_companies
            values['employees'] = [('remove', [
                        e.id for e in self.employees if e not in kept])]
        company = self.company
        if company and company not in companies:
            company = companies[0] if companies else None
            values['company'] = company.id if company else None
        if self.employee and (
                self.employee not in kept or self.employee.company != company):
            employees = [e for e in kept if e.company == company]
            values['employee'] = employees[0].id if employees else None
        return values


class UserCompany(metaclass=PoolMeta):
    __name__ = 'res.user-company.company'

    granted_to_group_manager = fields.Boolean(
        "Granted to Group Manager",
        help="Given because the user is a Group Manager, "
        "and taken back when the user leaves the role.")

    @classmethod
    def __register__(cls, module):
        exist = backend.TableHandler.table_exist(cls._table)
        table_h = cls.__table_handler__(module)
        created_granted = (
            exist and not table_h.column_exist('granted_to_group_manager'))

        super().__register__(module)

        # Migration from the first release: flag what the role granted
        if created_granted:
            cls._flag_granted_to_group_manager()

    @classmethod
    def _flag_granted_to_group_manager(cls):
        pool = Pool()
        UserGroup = pool.get('res.user-res.group')
        UserEmployee = pool.get('res.user-company.employee')
        Employee = pool.get('company.employee')
        cursor = Transaction().connection.cursor()

        group_manager = _group_manager()
        if group_manager is None:
            return
        user_company = cls.__table__()
        user_group = UserGroup.user_group_all_table()
        user_employee = UserEmployee.__table__()
        employee = Employee.__table__()

        own = (user_employee
            .join(employee, condition=user_employee.employee == employee.id)
            .select(
                Literal(1),
                where=(user_employee.user == user_company.user)
                & (employee.company == user_company.company)))
        cursor.execute(*user_company.update(
                [user_company.granted_to_group_manager], [True],
                where=user_company.user.in_(user_group.select(
                        user_group.user,
                        where=user_group.group == group_manager))
                & ~Exists(own)))

    @classmethod
    def default_granted_to_group_manager(cls):
        return False


class Group(metaclass=PoolMeta):
    __name__ = 'res.group'

    @classmethod
    def on_modification(cls, mode, groups, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        super().on_modification(mode, groups, field_names=field_names)
        if mode == 'write' and 'parent' in field_names:
            # Its users may have joined or left the Group Manager role
            User.revoke_group_companies()
            User.grant_group_companies()


class UserGroup(metaclass=PoolMeta):
    __name__ = 'res.user-res.group'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        super().on_modification(mode, records, field_names=field_names)
        if mode == 'write':
            User.revoke_group_companies()
        if mode in {'create', 'write'}:
            User.grant_group_companies()

    @classmethod
    def on_delete(cls, records):
        pool = Pool()
        User = pool.get('res.user')
        callbacks = super().on_delete(records)
        # Once the links are deleted, or their users still have the role
        callbacks.append(User.revoke_group_companies)
        return callbacks
