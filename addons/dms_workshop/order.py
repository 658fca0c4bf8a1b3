# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import groupby

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.modules.product import price_digits, round_price
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import OrderError, OrderValidationError
from .workshop import PAYERS

_in = fields.SQL_OPERATORS['in']
# States in which the work on the vehicle has been agreed
AGREED = {
    'approved', 'in_progress', 'waiting_parts', 'quality_check', 'ready',
    'invoiced', 'done'}
# States in which lines may still be added
OPEN = {
    'draft', 'checked_in', 'estimate_sent', 'approved', 'in_progress',
    'waiting_parts', 'quality_check'}


class Order(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.workshop.order'
    __string__ = "Repair Order"
    _rec_name = 'number'
    _system_create_fields = frozenset({'number'})

    _states = {
        'readonly': ~Eval('state').in_(['draft', 'checked_in']),
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': (Eval('state') != 'draft') | Eval('lines', [0]),
            })
    number = fields.Char(
        "Number", size=30, readonly=True,
        help="The number the workshop's sequence gave the order.")
    workshop = fields.Many2One(
        'dms.workshop', "Workshop", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': (Eval('state') != 'draft') | Eval('lines', [0]),
            })
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'}, states=_states,
        help="Who brings the vehicle and pays the customer's lines.")
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='RESTRICT',
        states=_states)
    appointment = fields.Many2One(
        'dms.workshop.appointment', "Appointment", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('workshop', '=', Eval('workshop', -1)),
            ],
        states=_states)
    advisor = fields.Many2One(
        'company.employee', "Service Advisor", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    insurer = fields.Many2One(
        'party.party', "Insurer", ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': ~Eval('state').in_(list(OPEN)),
            },
        help="Who pays the insurance lines.")
    insurance_reference = fields.Char(
        "Insurance Claim", size=60,
        states={
            'readonly': ~Eval('state').in_(list(OPEN)),
            'invisible': ~Eval('insurer'),
            })
    complaint = fields.Text(
        "Complaint", states=_states,
        help="What the customer reports, in the customer's words.")
    received = fields.DateTime(
        "Received", readonly=True,
        help="When the vehicle was checked in.")
    promised = fields.DateTime(
        "Promised",
        states={
            'readonly': ~Eval('state').in_(list(OPEN)),
            },
        help="When the customer was told the vehicle is ready.")
    mileage = fields.Integer(
        "Mileage (km)", domain=[
            If(Bool(Eval('mileage')), ('mileage', '>=', 0), ()),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') == 'checked_in',
            },
        help="The odometer at check-in; it goes into the vehicle's mileage "
        "history.")
    mileage_correction = fields.Boolean(
        "Odometer Exchanged",
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The odometer was exchanged or reset: the mileage may be lower "
        "than the last reading.")
    fuel_level = fields.Integer(
        "Fuel or Charge (%)",
        domain=[
            If(Bool(Eval('fuel_level')),
                [('fuel_level', '>=', 0), ('fuel_level', '<=', 100)],
                []),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            })
    lines = fields.One2Many(
        'dms.workshop.order.line', 'order', "Lines",
        states={
            'readonly': ~Eval('state').in_(list(OPEN)),
            })
    revisions = fields.One2Many(
        'dms.workshop.order.revision', 'order', "Estimate Revisions",
        readonly=True)
    photos = fields.One2Many('dms.workshop.order.photo', 'order', "Photos")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    total_amount = fields.Function(
        Monetary("Total", currency='currency', digits='currency'),
        'get_amounts')
    customer_amount = fields.Function(
        Monetary("Customer", currency='currency', digits='currency'),
        'get_amounts')
    warranty_amount = fields.Function(
        Monetary("Warranty", currency='currency', digits='currency'),
        'get_amounts')
    insurance_amount = fields.Function(
        Monetary("Insurance", currency='currency', digits='currency'),
        'get_amounts')
    internal_amount = fields.Function(
        Monetary("Internal", currency='currency', digits='currency'),
        'get_amounts')
    pending_amount = fields.Function(
        Monetary(
            "Awaiting Approval", currency='currency', digits='currency',
            help="The extra work the customer has not approved yet."),
        'get_amounts')
    started = fields.DateTime("Started", readonly=True)
    quality_checked_by = fields.Many2One(
        'company.employee', "Quality Checked By", readonly=True)
    quality_note = fields.Text(
        "Quality Check",
        states={
            'readonly': Eval('state') != 'quality_check',
            'invisible': ~Eval('state').in_(
                ['quality_check', 'ready', 'invoiced', 'done']),
            })
    ready_date = fields.DateTime("Ready", readonly=True)
    invoice_date = fields.Date("Invoice Date", readonly=True)
    done_date = fields.DateTime(
        "Handed Over", readonly=True,
        help="When the customer collected the vehicle.")
    invoices = fields.Function(
        fields.Many2Many('account.invoice', None, None, "Invoices"),
        'get_invoices')
    shipments = fields.Function(
        fields.Many2Many('stock.shipment.out', None, None, "Parts Issues"),
        'get_shipments')
    # The order's figures of the service KPIs, frozen when it is invoiced
    hours_sold = fields.Float(
        "Hours Sold", readonly=True,
        help="The hours of the approved labour lines, set at invoicing.")
    labour_amount = Monetary(
        "Labour Amount", currency='currency', digits='currency',
        readonly=True,
        help="The amounts of the approved labour lines, set at invoicing.")
    service_amount = Monetary(
        "Service Amount", currency='currency', digits='currency',
        readonly=True,
        help="The amounts of the approved labour, sublet and fee lines not "
        "paid internally, set at invoicing.")
    parts_amount = Monetary(
        "Parts Amount", currency='currency', digits='currency',
        readonly=True,
        help="The amounts of the approved parts lines not paid internally, "
        "set at invoicing.")
    parts_cost = Monetary(
        "Parts Cost", currency='currency', readonly=True,
        help="The cost of the done stock moves of the approved parts lines "
        "not paid internally, set at invoicing.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('checked_in', "Checked In"),
            ('estimate_sent', "Estimate Sent"),
            ('approved', "Approved"),
            ('in_progress', "In Progress"),
            ('waiting_parts', "Waiting for Parts"),
            ('quality_check', "Quality Check"),
            ('ready', "Ready"),
            ('invoiced', "Invoiced"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.vehicle, Index.Range())),
                Index(t, (t.customer, Index.Range())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=~t.state.in_(['done', 'cancelled'])),
                # The comebacks of the service KPIs
                Index(t, (t.vehicle, Index.Range()),
                    (t.ready_date, Index.Range()),
                    where=t.state.in_(['invoiced', 'done'])),
                })
        cls._order = [('received', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'checked_in'),
            ('checked_in', 'estimate_sent'),
            ('estimate_sent', 'approved'),
            ('approved', 'in_progress'),
            ('in_progress', 'waiting_parts'),
            ('waiting_parts', 'in_progress'),
            ('in_progress', 'quality_check'),
            ('quality_check', 'in_progress'),
            ('quality_check', 'ready'),
            ('ready', 'invoiced'),
            ('invoiced', 'done'),
            ('draft', 'cancelled'),
            ('checked_in', 'cancelled'),
            ('estimate_sent', 'cancelled'),
            ('approved', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'check_in': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'send_estimate': {
                    'invisible': (~Eval('state').in_(list(OPEN - {'draft'}))
                        | ~Eval('unsent_lines')),
                    'depends': ['state', 'unsent_lines'],
                    },
                'approve': {
                    'invisible': ~Eval('pending_revision'),
                    'depends': ['pending_revision'],
                    },
                'reject': {
                    'invisible': ~Eval('pending_revision'),
                    'depends': ['pending_revision'],
                    },
                'start': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'issue_parts': {
                    'invisible': ~Eval('state').in_(
                        ['approved', 'in_progress', 'waiting_parts']),
                    'depends': ['state'],
                    },
                'wait_parts': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'waiting_parts',
                    'depends': ['state'],
                    },
                'to_quality_check': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'pass_quality': {
                    'invisible': Eval('state') != 'quality_check',
                    'depends': ['state'],
                    },
                'fail_quality': {
                    'invisible': Eval('state') != 'quality_check',
                    'depends': ['state'],
                    },
                'invoice': {
                    'invisible': Eval('state') != 'ready',
                    'depends': ['state'],
                    },
                'hand_over': {
                    'invisible': Eval('state') != 'invoiced',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'checked_in', 'estimate_sent', 'approved']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    unsent_lines = fields.Function(
        fields.Boolean("Lines to Estimate"), 'get_revision_flags')
    pending_revision = fields.Function(
        fields.Boolean("Revision Pending"), 'get_revision_flags')

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_mileage_correction(cls):
        return False

    @classmethod
    def default_advisor(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_workshop(cls):
        pool = Pool()
        Workshop = pool.get('dms.workshop')
        company = cls.default_company()
        if company is not None:
            workshops = Workshop.search(
                [('company', '=', company)], limit=2)
            if len(workshops) == 1:
                return workshops[0].id

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('vehicle', 'customer')
    def on_change_vehicle(self):
        if self.vehicle and not self.customer and self.vehicle.owner:
            self.customer = self.vehicle.owner

    @fields.depends('appointment', 'customer', 'vehicle', 'complaint')
    def on_change_appointment(self):
        if self.appointment:
            self.customer = self.appointment.customer
            self.vehicle = self.appointment.vehicle
            if not self.complaint:
                self.complaint = self.appointment.complaint

    def get_rec_name(self, name):
        number = self.number or f'({self.id})'
        return f'{number} {self.vehicle.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'number',
                'vehicle.rec_name',
                'customer.rec_name',
                ])

    @classmethod
    def get_amounts(cls, orders, names):
        "Sum the lines per payer in SQL, rejected work left out"
        pool = Pool()
        Line = pool.get('dms.workshop.order.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {o.id: Decimal(0) for o in orders} for n in names}
        for sub_ids in grouped_slice([o.id for o in orders], MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.order, line.payer, line.approval,
                    Sum(line.amount),
                    where=_in(line.order, sub_ids)
                    & (line.approval != 'rejected'),
                    group_by=[line.order, line.payer, line.approval]))
            for order_id, payer, approval, amount in cursor:
                amount = Decimal(str(amount or 0))
                if 'total_amount' in result:
                    result['total_amount'][order_id] += amount
                name = f'{payer}_amount'
                if name in result:
                    result[name][order_id] += amount
                if (approval in {'draft', 'pending'}
                        and 'pending_amount' in result):
                    result['pending_amount'][order_id] += amount
        for order in orders:
            for name in names:
                result[name][order.id] = order.currency.round(
                    result[name][order.id])
        return result

    def get_revision_flags(self, name):
        if name == 'unsent_lines':
            return any(l.approval == 'draft' for l in self.lines)
        return any(r.state == 'sent' for r in self.revisions)

    def get_invoices(self, name):
        return sorted({il.invoice.id for l in self.lines
                for il in l.invoice_lines if il.invoice})

    def get_shipments(self, name):
        pool = Pool()
        Shipment = pool.get('stock.shipment.out')
        return sorted({m.shipment.id for l in self.lines for m in l.moves
                if isinstance(m.shipment, Shipment)})

    @property
    def warranty_party(self):
        "Return the manufacturer who pays the warranty lines"
        vehicle = self.vehicle
        if vehicle and vehicle.model and vehicle.model.make:
            return vehicle.model.make.supplier

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Workshop = pool.get('dms.workshop')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            workshop_id = values.get('workshop', cls.default_workshop())
            if workshop_id is not None:
                workshop = Workshop(workshop_id)
                values['number'] = workshop.order_sequence.get()
        return values

    @classmethod
    def check_modification(cls, mode, orders, values=None, external=False):
        super().check_modification(
            mode, orders, values=values, external=external)
        if mode == 'delete':
            for order in orders:
                if order.state not in {'draft', 'cancelled'}:
                    raise AccessError(gettext(
                            'dms_workshop.msg_order_delete',
                            order=order.rec_name,
                            state=order.state_string))

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'received', 'started', 'ready_date',
                'invoice_date', 'done_date', 'mileage', 'quality_checked_by',
                'quality_note', 'appointment', 'hours_sold', 'labour_amount',
                'service_amount', 'parts_amount', 'parts_cost']:
            default.setdefault(name)
        default.setdefault('revisions')
        default.setdefault('photos')
        return super().copy(orders, default=default)

    def notify(self, kind):
        """Queue the customer's notice of kind (e.g. 'started') in the
        outbox; nothing when the customer cannot be reached"""
        pool = Pool()
        Message = pool.get('dms.message')
        channel = Message.preferred_channel(self.customer)
        if not channel:
            return
        with Transaction().set_context(language=self.customer.lang
                and self.customer.lang.code):
            subject = gettext(
                f'dms_workshop.msg_notice_{kind}_subject',
                order=self.number, vehicle=self.vehicle.rec_name,
                company=self.company.rec_name)
            body = gettext(
                f'dms_workshop.msg_notice_{kind}_body',
                customer=self.customer.rec_name, order=self.number,
                vehicle=self.vehicle.rec_name,
                company=self.company.rec_name)
        return Message(
            company=self.company, party=self.customer, channel=channel,
            subject=subject, body=body, origin=self)

    @classmethod
    def _notify(cls, orders, kind):
        pool = Pool()
        Message = pool.get('dms.message')
        messages = list(filter(None, (o.notify(kind) for o in orders)))
        Message.save(messages)

    @classmethod
    @ModelView.button
    @Workflow.transition('checked_in')
    def check_in(cls, orders):
        pool = Pool()
        Mileage = pool.get('dms.vehicle.mileage')
        Date = pool.get('ir.date')
        now = dt.datetime.now()
        readings = []
        for order in orders:
            if order.mileage is None:
                raise OrderError(gettext(
                        'dms_workshop.msg_order_mileage_required',
                        order=order.rec_name))
            order.received = now
            with Transaction().set_context(company=order.company.id):
                today = Date.today()
            readings.append({
                    'vehicle': order.vehicle.id,
                    'date': today,
                    'reading': order.mileage,
                    'source': 'workshop',
                    'correction': order.mileage_correction,
                    'comment': order.number,
                    })
        cls.save(orders)
        # The mileage history refuses a reading lower than the last one
        Mileage.create(readings)

    @classmethod
    @ModelView.button
    def send_estimate(cls, orders):
        "Send the lines not yet estimated to the customer as a revision"
        pool = Pool()
        Revision = pool.get('dms.workshop.order.revision')
        revisions = []
        to_send = []
        for order in orders:
            lines = [l for l in order.lines if l.approval == 'draft']
            if not lines:
                continue
            if order.state == 'draft':
                raise OrderError(gettext(
                        'dms_workshop.msg_order_estimate_draft',
                        order=order.rec_name))
            if any(r.state == 'sent' for r in order.revisions):
                raise OrderError(gettext(
                        'dms_workshop.msg_order_revision_pending',
                        order=order.rec_name))
            revisions.append(Revision.from_lines(order, lines))
            if order.state == 'checked_in':
                to_send.append(order)
        Revision.save(revisions)
        Revision.send(revisions)
        cls._estimate_sent(to_send)

    @classmethod
    @Workflow.transition('estimate_sent')
    def _estimate_sent(cls, orders):
        pass

    @classmethod
    @ModelView.button
    def approve(cls, orders):
        "Record the customer's approval the advisor took by phone or in person"
        pool = Pool()
        Revision = pool.get('dms.workshop.order.revision')
        revisions = [r for o in orders for r in o.revisions
            if r.state == 'sent']
        Revision.approve(revisions, by=None, channel='advisor')

    @classmethod
    @ModelView.button
    def reject(cls, orders):
        pool = Pool()
        Revision = pool.get('dms.workshop.order.revision')
        revisions = [r for o in orders for r in o.revisions
            if r.state == 'sent']
        Revision.reject(revisions, by=None, channel='advisor')

    @classmethod
    @Workflow.transition('approved')
    def _approved(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, orders):
        now = dt.datetime.now()
        for order in orders:
            order.started = now
        cls.save(orders)
        cls._notify(orders, 'started')

    @classmethod
    @ModelView.button
    def issue_parts(cls, orders):
        """Issue the approved parts not yet issued from the workshop's
        warehouse, through a customer shipment done at once; an order whose
        parts are not all on hand waits for parts"""
        pool = Pool()
        Shipment = pool.get('stock.shipment.out')
        # The parts that were short at an earlier issue may be on hand now
        pending = [s for o in orders for s in o.shipments
            if s.state == 'waiting']
        shipments = []
        for order in orders:
            shipment = order.get_parts_shipment()
            if shipment:
                shipments.append(shipment)
        if not shipments and not pending:
            return
        Shipment.save(shipments)
        Shipment.wait(shipments)
        shipments = pending + shipments
        Shipment.assign_try(shipments)
        assigned = [s for s in shipments if s.state == 'assigned']
        if assigned:
            Shipment.pick(assigned)
            Shipment.pack(assigned)
            Shipment.do(assigned)
        short = {s.id for s in shipments if s.state != 'done'}
        waiting = [o for o in orders
            if o.state == 'in_progress'
            and any(s.id in short for s in o.shipments)]
        if waiting:
            cls.wait_parts(waiting)

    def get_parts_shipment(self):
        "Return a new shipment of the parts to issue, None when there is none"
        pool = Pool()
        Shipment = pool.get('stock.shipment.out')
        moves = []
        for line in self.lines:
            move = line.get_move()
            if move:
                moves.append(move)
        if not moves:
            return
        shipment = Shipment(
            company=self.company,
            customer=self.customer,
            delivery_address=self.customer.address_get(type='delivery'),
            warehouse=self.workshop.warehouse,
            reference=self.number,
            moves=moves,
            )
        shipment.on_change_warehouse()
        return shipment

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting_parts')
    def wait_parts(cls, orders):
        cls._notify(orders, 'waiting_parts')

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def resume(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('quality_check')
    def to_quality_check(cls, orders):
        pool = Pool()
        Clock = pool.get('dms.workshop.clock')
        clocks = Clock.search([
                ('order', 'in', [o.id for o in orders]),
                ('end', '=', None),
                ], limit=1)
        if clocks:
            clock, = clocks
            raise OrderError(gettext(
                    'dms_workshop.msg_order_clock_open',
                    order=clock.order.rec_name,
                    technician=clock.technician.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('ready')
    def pass_quality(cls, orders):
        employee = Transaction().context.get('employee')
        now = dt.datetime.now()
        for order in orders:
            order.ready_date = now
            order.quality_checked_by = employee
        cls.save(orders)
        cls._notify(orders, 'ready')

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def fail_quality(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('invoiced')
    def invoice(cls, orders):
        """Invoice each payer its lines and post the invoices; internal
        lines are not invoiced"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Date = pool.get('ir.date')
        Move = pool.get('account.move')
        invoices, moves = [], []
        for order in orders:
            order.check_invoiceable()
            for name, value in order.get_kpi_totals().items():
                setattr(order, name, value)
            with Transaction().set_context(company=order.company.id):
                order.invoice_date = Date.today()
            invoices.extend(order.create_invoices())
            move = order.get_internal_move()
            if move:
                moves.append(move)
        Invoice.save(invoices)
        Invoice.update_taxes(invoices)
        Invoice.post(invoices)
        Move.save(moves)
        Move.post(moves)
        cls.save(orders)

    def check_invoiceable(self):
        "Refuse invoicing unapproved work or parts not issued"
        for line in self.lines:
            if line.approval in {'draft', 'pending'}:
                raise OrderError(gettext(
                        'dms_workshop.msg_order_invoice_unapproved',
                        order=self.rec_name, line=line.rec_name))
            if (line.type == 'part' and line.approval == 'approved'
                    and line.issued_quantity < line.quantity):
                raise OrderError(gettext(
                        'dms_workshop.msg_order_invoice_not_issued',
                        order=self.rec_name, line=line.rec_name))

    def get_kpi_totals(self):
        """Return the values of the order's figures of the service KPIs,
        from its lines and their done moves"""
        hours_sold = 0.0
        labour = service = parts = cost = Decimal(0)
        for line in self.lines:
            if line.approval != 'approved':
                continue
            if line.type == 'labour':
                hours_sold += line.quantity
                labour += line.amount or 0
            if line.payer == 'internal':
                continue
            if line.type == 'part':
                parts += line.amount or 0
                # The cost price is per the product's default unit, as is
                # the internal quantity
                cost += sum((
                        Decimal(str(m.internal_quantity))
                        * (m.cost_price or 0)
                        for m in line.moves if m.state == 'done'),
                    Decimal(0))
            else:
                service += line.amount or 0
        return {
            'hours_sold': hours_sold,
            'labour_amount': labour,
            'service_amount': service,
            'parts_amount': parts,
            'parts_cost': cost,
            }

    def invoice_party(self, payer):
        "Return the party who pays the payer's lines"
        if payer == 'customer':
            return self.customer
        elif payer == 'warranty':
            party = self.warranty_party
            if not party:
                raise OrderError(gettext(
                        'dms_workshop.msg_order_no_manufacturer',
                        order=self.rec_name,
                        vehicle=self.vehicle.rec_name))
            return party
        elif payer == 'insurance':
            if not self.insurer:
                raise OrderError(gettext(
                        'dms_workshop.msg_order_no_insurer',
                        order=self.rec_name))
            return self.insurer

    def create_invoices(self):
        "Return one invoice per payer of the approved lines"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        lines = sorted(
            (l for l in self.lines
                if l.approval == 'approved' and l.payer != 'internal'
                and not l.invoice_lines),
            key=lambda l: (PAYER_ORDER[l.payer], l.sequence or 0, l.id))
        invoices = []
        for payer, payer_lines in groupby(lines, key=lambda l: l.payer):
            party = self.invoice_party(payer)
            invoice = Invoice(
                company=self.company,
                type='out',
                party=party,
                invoice_date=self.invoice_date,
                currency=self.company.currency,
                reference=self.number,
                description=self.vehicle.rec_name,
                )
            invoice.on_change_type()
            invoice.on_change_party()
            invoice.lines = [l.get_invoice_line(invoice)
                for l in payer_lines]
            invoices.append(invoice)
        return invoices

    def get_internal_move(self):
        """Return the posting that charges the internal lines to the
        workshop's internal work account and credits their revenue"""
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        lines = [l for l in self.lines
            if l.approval == 'approved' and l.payer == 'internal'
            and l.amount]
        if not lines:
            return
        workshop = self.workshop
        if not workshop.internal_account or not workshop.internal_journal:
            raise OrderError(gettext(
                    'dms_workshop.msg_order_no_internal_account',
                    order=self.rec_name, workshop=workshop.rec_name))
        credits = defaultdict(Decimal)
        for line in lines:
            account = line.revenue_account()
            if not account:
                raise OrderError(gettext(
                        'dms_workshop.msg_line_no_revenue_account',
                        line=line.rec_name,
                        product=line.invoiced_product().rec_name))
            credits[account] += line.amount
        description = f'{self.number} {self.vehicle.rec_name}'
        move_lines = [MoveLine(
                account=account, credit=amount, debit=Decimal(0),
                description=description)
            for account, amount in credits.items()]
        move_lines.append(MoveLine(
                account=workshop.internal_account,
                debit=sum(credits.values(), Decimal(0)), credit=Decimal(0),
                description=description))
        with Transaction().set_context(company=self.company.id):
            period = Period.find(self.company, date=self.invoice_date)
        return Move(
            company=self.company,
            journal=workshop.internal_journal,
            period=period,
            date=self.invoice_date,
            origin=self,
            description=description,
            lines=move_lines)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def hand_over(cls, orders):
        now = dt.datetime.now()
        for order in orders:
            order.done_date = now
        cls.save(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, orders):
        pool = Pool()
        Revision = pool.get('dms.workshop.order.revision')
        Revision.cancel([r for o in orders for r in o.revisions
                if r.state == 'sent'])

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, orders):
        pass


PAYER_ORDER = {p: i for i, (p, _) in enumerate(PAYERS)}


class OrderLine(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.workshop.order.line'
    __string__ = "Repair Order Line"
    _system_create_fields = frozenset({'amount', 'approval'})

    _states = {
        'readonly': ((Eval('approval') != 'draft')
            | ~Eval('order_state').in_(list(OPEN))),
        }

    order = fields.Many2One(
        'dms.workshop.order', "Order", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    sequence = fields.Integer("Sequence")
    type = fields.Selection([
            ('labour', "Labour"),
            ('part', "Part"),
            ('sublet', "Sublet"),
            ('fee', "Fee"),
            ], "Type", required=True, states=_states)
    type_string = type.translated('type')
    payer = fields.Selection(PAYERS, "Payer", required=True, states=_states)
    payer_string = payer.translated('payer')
    operation = fields.Many2One(
        'dms.workshop.operation', "Operation", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('type') != 'labour',
            'required': Eval('type') == 'labour',
            })
    product = fields.Many2One(
        'product.product', "Product", ondelete='RESTRICT',
        domain=[
            If(Eval('type') == 'part',
                [('type', '=', 'goods')],
                [('type', '=', 'service')]),
            ],
        context={
            'company': Eval('company', -1),
            },
        states={
            'readonly': _states['readonly'],
            'required': Eval('type').in_(['part', 'sublet', 'fee']),
            },
        depends={'company'},
        help="For labour: the service invoiced, the operation's or the "
        "workshop's when left empty.")
    description = fields.Text("Description", states=_states)
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[('quantity', '>=', 0)],
        states=_states,
        help="The hours sold for labour.")
    unit = fields.Many2One(
        'product.uom', "Unit", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('type') == 'labour',
            'required': Eval('type') != 'labour',
            })
    unit_price = Monetary(
        "Unit Price", currency='currency', digits=price_digits,
        required=True, states=_states,
        help="The labour rate per hour for labour.")
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    technician = fields.Many2One(
        'company.employee', "Technician", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Eval('type') != 'labour',
            'readonly': Eval('order_state').in_(
                ['ready', 'invoiced', 'done', 'cancelled']),
            },
        help="The technician the job is dispatched to.")
    approval = fields.Selection([
            ('draft', "Not Estimated"),
            ('pending', "Awaiting Approval"),
            ('approved', "Approved"),
            ('rejected', "Rejected"),
            ], "Approval", readonly=True, required=True, sort=False)
    approval_string = approval.translated('approval')
    revision = fields.Many2One(
        'dms.workshop.order.revision', "Revision", readonly=True,
        ondelete='RESTRICT')
    department = fields.Function(
        fields.Many2One('dms.department', "Department"),
        'on_change_with_department')
    clocks = fields.One2Many(
        'dms.workshop.clock', 'line', "Clocks", readonly=True)
    clocked_hours = fields.Function(
        fields.Float("Clocked Hours", digits=(16, 2)), 'get_clocked_hours')
    moves = fields.One2Many('stock.move', 'origin', "Moves", readonly=True)
    issued_quantity = fields.Function(
        fields.Float("Issued", digits='unit'), 'get_issued_quantity')
    invoice_lines = fields.One2Many(
        'account.invoice.line', 'origin', "Invoice Lines", readonly=True)
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    order_state = fields.Function(
        fields.Selection('get_order_states', "Order State"),
        'on_change_with_order_state', searcher='search_order_state')
    vehicle = fields.Function(
        fields.Many2One('dms.vehicle', "Vehicle"),
        'on_change_with_vehicle', searcher='search_order_field')
    customer = fields.Function(
        fields.Many2One(
            'party.party', "Customer",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_customer', searcher='search_order_field')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('order')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.order, Index.Range())),
                Index(t, (t.technician, Index.Range()),
                    where=(t.type == 'labour') & (t.technician != Null)),
                # The hours sold per technician of the service KPIs
                Index(t, (t.order, Index.Range()),
                    include=[t.technician, t.quantity],
                    where=(t.type == 'labour') & (t.approval == 'approved')
                    & (t.technician != Null)),
                })
        cls._order.insert(0, ('sequence', 'ASC NULLS FIRST'))
        cls._buttons.update({
                'clock_on': {
                    'invisible': ((Eval('type') != 'labour')
                        | ~Eval('order_state').in_(
                            ['approved', 'in_progress', 'waiting_parts'])),
                    'depends': ['type', 'order_state'],
                    },
                'clock_off': {
                    'invisible': ((Eval('type') != 'labour')
                        | ~Eval('order_state').in_(
                            ['in_progress', 'waiting_parts'])),
                    'depends': ['type', 'order_state'],
                    },
                })

    @classmethod
    def default_type(cls):
        return 'labour'

    @classmethod
    def default_payer(cls):
        return 'customer'

    @classmethod
    def default_approval(cls):
        return 'draft'

    @classmethod
    def default_quantity(cls):
        return 1.0

    @classmethod
    def get_order_states(cls):
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        return Order.fields_get(['state'])['state']['selection']

    @fields.depends('order', '_parent_order.state')
    def on_change_with_order_state(self, name=None):
        if self.order:
            return self.order.state

    @classmethod
    def search_order_state(cls, name, clause):
        return [('order.state', *clause[1:])]

    @fields.depends('order', '_parent_order.vehicle')
    def on_change_with_vehicle(self, name=None):
        return self.order.vehicle if self.order else None

    @fields.depends('order', '_parent_order.customer')
    def on_change_with_customer(self, name=None):
        return self.order.customer if self.order else None

    @classmethod
    def search_order_field(cls, name, clause):
        nested = clause[0][len(name):]
        return [(f'order.{name}{nested}', *clause[1:])]

    @fields.depends('order', '_parent_order.company')
    def on_change_with_company(self, name=None):
        return self.order.company if self.order else None

    @fields.depends('order', '_parent_order.company')
    def on_change_with_currency(self, name=None):
        if self.order and self.order.company:
            return self.order.company.currency

    @fields.depends('type', 'order', '_parent_order.workshop')
    def on_change_with_department(self, name=None):
        if self.order and self.order.workshop:
            workshop = self.order.workshop
            if self.type == 'part':
                return workshop.parts_department
            return workshop.service_department

    def get_rec_name(self, name):
        if self.type == 'labour' and self.operation:
            label = self.operation.rec_name
        elif self.product:
            label = self.product.rec_name
        else:
            label = self.description or self.type_string
        return f'{self.order.rec_name} / {label}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'order.rec_name',
                'operation.rec_name',
                'product.rec_name',
                ])

    @fields.depends(
        'type', 'operation', 'payer', 'order', '_parent_order.vehicle',
        '_parent_order.workshop', 'description', methods=['_labour_price'])
    def on_change_operation(self):
        if self.type != 'labour' or not self.operation:
            return
        vehicle = self.order.vehicle if self.order else None
        self.quantity = self.operation.hours_for(vehicle)
        self.description = self.operation.name
        self._labour_price()

    @fields.depends('type', 'payer', 'order', '_parent_order.workshop',
        'unit_price')
    def _labour_price(self):
        if (self.type == 'labour' and self.order and self.order.workshop
                and self.payer):
            rate = self.order.workshop.labour_rate(self.payer)
            if rate is not None:
                self.unit_price = round_price(rate)

    @fields.depends(methods=['_labour_price'])
    def on_change_payer(self):
        self._labour_price()

    @fields.depends(
        'type', 'product', 'unit', 'order', '_parent_order.customer',
        '_parent_order.company', 'quantity', 'unit_price', 'description')
    def on_change_product(self):
        pool = Pool()
        Product = pool.get('product.product')
        if not self.product:
            return
        # A superseded part whose old stock may no longer be sold is
        # replaced by the newest of its chain, as at the parts counter
        product = self.product
        if (self.type == 'part' and product.template.part
                and product.replaced_by and not product.sell_old_stock
                and product.newest):
            self.product = product.newest
        self.unit = self.product.sale_uom
        self.description = self.product.name
        if self.type == 'labour':
            return
        if not self.order or not self.order.company:
            return
        # The line's product was read before the line knew its company
        with Transaction().set_context(
                company=self.order.company.id,
                currency=self.order.company.currency.id,
                customer=(self.order.customer.id
                    if self.order.customer else None),
                uom=self.unit.id if self.unit else None):
            product = Product(self.product.id)
            price = Product.get_sale_price(
                [product], self.quantity or 0)[product.id]
        if price is not None:
            self.unit_price = round_price(price)

    @fields.depends('quantity', 'unit_price', 'order', '_parent_order.company')
    def on_change_with_amount(self, name=None):
        return self.compute_amount()

    def compute_amount(self):
        amount = (Decimal(str(self.quantity or 0))
            * (self.unit_price or Decimal(0)))
        if self.order and self.order.company:
            return self.order.company.currency.round(amount)
        return amount.quantize(Decimal('0.01'))

    @classmethod
    def get_clocked_hours(cls, lines, name):
        pool = Pool()
        Clock = pool.get('dms.workshop.clock')
        clock = Clock.__table__()
        cursor = Transaction().connection.cursor()
        result = {l.id: 0.0 for l in lines}
        for sub_ids in grouped_slice([l.id for l in lines], MAX_QUERY_PARAMS):
            cursor.execute(*clock.select(
                    clock.line, Sum(Coalesce(clock.hours, 0)),
                    where=_in(clock.line, sub_ids),
                    group_by=[clock.line]))
            for line_id, hours in cursor:
                result[line_id] = round(float(hours or 0), 2)
        return result

    def get_issued_quantity(self, name):
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = 0.0
        for move in self.moves:
            if move.state == 'done' and self.unit:
                quantity += Uom.compute_qty(
                    move.unit, move.quantity, self.unit)
        return quantity

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('order') is not None:
            order = Order(values['order'])
            values['amount'] = order.company.currency.round(
                Decimal(str(values.get('quantity') or 0))
                * (values.get('unit_price') or Decimal(0)))
            # Work the customer does not pay needs no approval once the
            # estimate is agreed
            if (order.state in AGREED
                    and (values.get('payer') or cls.default_payer())
                    != 'customer'):
                values['approval'] = 'approved'
        return values

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        super().on_modification(mode, lines, field_names=field_names)
        if mode == 'write' and field_names & {'quantity', 'unit_price'}:
            to_save = []
            for line in lines:
                amount = line.compute_amount()
                if line.amount != amount:
                    line.amount = amount
                    to_save.append(line)
            if to_save:
                cls.save(to_save)

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        cls.check_order_open(lines, field_names)

    @classmethod
    def check_order_open(cls, lines, field_names=None):
        "Refuse lines on an order that is finished"
        for line in lines:
            if (line.order.state not in OPEN
                    and field_names & {
                        'order', 'type', 'payer', 'product', 'quantity',
                        'unit_price', 'operation'}):
                raise OrderValidationError(gettext(
                        'dms_workshop.msg_line_order_closed',
                        line=line.rec_name,
                        order=line.order.rec_name,
                        state=line.order.state_string))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'delete':
            for line in lines:
                if line.approval in {'approved', 'pending'} or line.moves:
                    raise AccessError(gettext(
                            'dms_workshop.msg_line_delete',
                            line=line.rec_name,
                            approval=line.approval_string))
        elif mode == 'write' and values.keys() & {
                'type', 'payer', 'product', 'quantity', 'unit_price',
                'operation', 'unit'}:
            # Raising agreed work needs a new line and a new revision
            for line in lines:
                if line.approval != 'draft':
                    raise AccessError(gettext(
                            'dms_workshop.msg_line_estimated',
                            line=line.rec_name,
                            approval=line.approval_string))

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('approval', cls.default_approval())
        default.setdefault('revision')
        default.setdefault('moves')
        default.setdefault('invoice_lines')
        default.setdefault('clocks')
        return super().copy(lines, default=default)

    def get_move(self):
        "Return the move of the quantity still to issue, None when none"
        pool = Pool()
        Move = pool.get('stock.move')
        Uom = pool.get('product.uom')
        if (self.type != 'part' or self.approval != 'approved'
                or not self.product or self.product.type != 'goods'):
            return
        planned = 0.0
        for move in self.moves:
            if move.state != 'cancelled':
                planned += Uom.compute_qty(
                    move.unit, move.quantity, self.unit)
        quantity = self.unit.round(self.quantity - planned)
        if quantity <= 0:
            return
        order = self.order
        warehouse = order.workshop.warehouse
        return Move(
            company=order.company,
            product=self.product,
            unit=self.unit,
            quantity=quantity,
            from_location=warehouse.output_location,
            to_location=order.customer.customer_location,
            unit_price=self.unit_price,
            currency=order.company.currency,
            planned_date=None,
            origin=self,
            )

    def invoiced_product(self):
        "Return the product the line is invoiced as"
        product = self.product
        if self.type == 'labour' and not product:
            product = (self.operation.product
                or self.order.workshop.labour_product)
        return product

    def revenue_account(self):
        "Return the revenue account of the line's product in its company"
        with Transaction().set_context(company=self.order.company.id):
            product = self.invoiced_product().__class__(
                self.invoiced_product().id)
            return product.account_revenue_used

    def get_invoice_line(self, invoice):
        "Return the invoice line of the line on the payer's invoice"
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        product = self.invoiced_product()
        line = InvoiceLine(
            invoice=invoice,
            type='line',
            company=invoice.company,
            currency=invoice.currency,
            invoice_type='out',
            party=invoice.party,
            product=product,
            description=self.description or product.rec_name,
            quantity=self.quantity,
            unit=self.unit if self.type != 'labour' else product.sale_uom,
            origin=self,
            )
        line.on_change_product()
        line.unit_price = self.unit_price
        line.description = self.description or product.rec_name
        line.dms_department = self.department
        if not line.account:
            raise OrderError(gettext(
                    'dms_workshop.msg_line_no_revenue_account',
                    line=self.rec_name, product=product.rec_name))
        line.stock_moves = [m for m in self.moves if m.state == 'done']
        return line

    @classmethod
    @ModelView.button
    def clock_on(cls, lines):
        pool = Pool()
        Clock = pool.get('dms.workshop.clock')
        Clock.clock_on(lines)

    @classmethod
    @ModelView.button
    def clock_off(cls, lines):
        pool = Pool()
        Clock = pool.get('dms.workshop.clock')
        Clock.clock_off(lines)
