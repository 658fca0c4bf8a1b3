# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import RebateError


class Accounting(ModelSQL, ModelView):
    __name__ = 'dms.rebate.accounting'
    __string__ = "Rebate Accounting"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE')
    journal = fields.Many2One(
        'account.journal', "Journal", required=True, ondelete='RESTRICT',
        help="The journal of accruals, adjustments and payments of rebates.")
    receivable_account = fields.Many2One(
        'account.account', "Receivable Account", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.receivable', '=', True),
            ('party_required', '=', True),
            ('closed', '!=', True),
            ],
        help="What the manufacturers owe for rebates accrued.")
    income_account = fields.Many2One(
        'account.account', "Income Account", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.revenue', '=', True),
            ('closed', '!=', True),
            ],
        help="Where the rebates are recognised when the deal is invoiced.")
    variance_account = fields.Many2One(
        'account.account', "Variance Account", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ['OR',
                ('type.revenue', '=', True),
                ('type.expense', '=', True),
                ],
            ('closed', '!=', True),
            ],
        help="Where the difference between the claim and the "
        "manufacturer's payment is written off.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_unique', Exclude(t, (t.company, Equal)),
                'dms_sales_rebate.msg_accounting_company_unique'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return self.company.rec_name

    @classmethod
    def get(cls, company, record=None):
        "Return the rebate accounting of the company or raise RebateError"
        accountings = cls.search([('company', '=', int(company))], limit=1)
        if not accountings:
            pool = Pool()
            Company = pool.get('company.company')
            raise RebateError(gettext(
                    'dms_sales_rebate.msg_accounting_missing',
                    company=Company(int(company)).rec_name,
                    record=record.rec_name if record else ''))
        accounting, = accountings
        return accounting

    def _move(self, date, origin, description):
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        return Move(
            company=self.company,
            journal=self.journal,
            period=Period.find(self.company, date=date),
            date=date,
            origin=origin,
            description=description,
            lines=[])

    def _line(self, account, amount, party=None, description=None):
        "Return a move line of amount (positive: debit)"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        return MoveLine(
            account=account,
            party=party,
            debit=amount if amount > 0 else Decimal(0),
            credit=-amount if amount < 0 else Decimal(0),
            description=description)

    def _income_move(self, date, origin, description, amounts):
        """Return a move of the amounts by manufacturer: receivable against
        income (negative amounts the other way)"""
        move = self._move(date, origin, description)
        lines = []
        for manufacturer, amount in sorted(
                amounts.items(), key=lambda i: i[0].id):
            if not amount:
                continue
            lines.append(self._line(
                    self.receivable_account, amount, party=manufacturer))
            lines.append(self._line(self.income_account, -amount))
        move.lines = lines
        return move if lines else None

    @classmethod
    def accrue_invoices(cls, invoices):
        """Accrue the estimated rebates of the deals of the posted customer
        invoices: one move per invoice"""
        pool = Pool()
        Line = pool.get('dms.rebate.line')
        Move = pool.get('account.move')
        invoices = [i for i in invoices if i.type == 'out']
        if not invoices:
            return
        sale_invoices = {}
        for invoice in invoices:
            for invoice_line in invoice.lines:
                origin = getattr(invoice_line, 'origin', None)
                if (origin and origin.__name__ == 'sale.line'
                        and origin.id >= 0
                        and getattr(origin, 'vehicle', None)):
                    sale_invoices.setdefault(origin.sale.id, invoice)
        if not sale_invoices:
            return
        # The invoice's poster may not see rebate lines: posting accrues them
        with without_check_access():
            lines = Line.search([
                    ('sale', 'in', list(sale_invoices)),
                    ('state', '=', 'estimated'),
                    ])
            by_invoice = defaultdict(list)
            for line in lines:
                by_invoice[sale_invoices[line.sale.id]].append(line)
            moves, to_save = [], []
            for invoice, invoice_lines in by_invoice.items():
                accounting = cls.get(invoice.company, invoice)
                amounts = defaultdict(Decimal)
                for line in invoice_lines:
                    amounts[line.manufacturer] += line.estimated_amount
                date = invoice.accounting_date or invoice.invoice_date
                move = accounting._income_move(
                    date, invoice, gettext(
                        'dms_sales_rebate.msg_accrual_description',
                        invoice=invoice.rec_name), amounts)
                if move:
                    moves.append(move)
                    for line in invoice_lines:
                        line.accrual_move = move
                to_save.extend(invoice_lines)
            Move.save(moves)
            Move.post(moves)
            Line.save(to_save)
            Line.accrue(to_save)

    @classmethod
    def adjust(cls, policy, company, differences):
        """Post the change of the accrued estimates of a tier period:
        differences by manufacturer id"""
        pool = Pool()
        Date = pool.get('ir.date')
        Move = pool.get('account.move')
        Party = pool.get('party.party')
        accounting = cls.get(company, policy)
        with Transaction().set_context(company=accounting.company.id):
            date = Date.today()
        move = accounting._income_move(
            date, policy, gettext(
                'dms_sales_rebate.msg_adjustment_description',
                policy=policy.rec_name),
            {Party(m): a for m, a in differences.items()})
        if move:
            Move.save([move])
            Move.post([move])
        return move

    @classmethod
    def reverse(cls, lines):
        "Reverse the accrual of the rebate lines, per company"
        pool = Pool()
        Date = pool.get('ir.date')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        by_company = defaultdict(list)
        for line in lines:
            by_company[line.company].append(line)
        for company, company_lines in by_company.items():
            accounting = cls.get(company, company_lines[0].sale)
            amounts = defaultdict(Decimal)
            for line in company_lines:
                amounts[line.manufacturer] -= line.estimated_amount
            with Transaction().set_context(company=company.id):
                date = Date.today()
            move = accounting._income_move(
                date, company_lines[0].policy, gettext(
                    'dms_sales_rebate.msg_reversal_description',
                    sales=', '.join(sorted(
                            {l.sale.rec_name for l in company_lines}))),
                amounts)
            if not move:
                continue
            Move.save([move])
            Move.post([move])
            # Settle the accruals with their reversal where they balance
            accruals = {l.accrual_move for l in company_lines
                if l.accrual_move}
            for manufacturer in amounts:
                to_reconcile = [ml for m in accruals | {move}
                    for ml in m.lines
                    if ml.account == accounting.receivable_account
                    and ml.party == manufacturer
                    and not ml.reconciliation]
                if (to_reconcile and not sum(
                            (ml.debit - ml.credit for ml in to_reconcile),
                            Decimal(0))):
                    MoveLine.reconcile(to_reconcile)


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'dms.rebate.policy', 'dms.rebate.claim']


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def _post(cls, invoices):
        pool = Pool()
        Accounting = pool.get('dms.rebate.accounting')
        super()._post(invoices)
        Accounting.accrue_invoices(invoices)
