# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import VehicleStateError
from .shipment import ship_internal


class Scrap(Wizard):
    __name__ = 'dms.vehicle.scrap'
    __string__ = "Scrap Vehicle"

    start = StateView('dms.vehicle.scrap.start',
        'dms_vehicle.vehicle_scrap_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Scrap", 'scrap', 'tryton-ok', default=True),
            ])
    scrap = StateTransition()

    def default_start(self, fields):
        return {
            'company': Transaction().context.get('company'),
            'date': Pool().get('ir.date').today(),
            }

    def transition_scrap(self):
        """Record the certificate of destruction, take the vehicle out of
        stock, cancel its future bookings and mark it scrapped"""
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        Document = pool.get('dms.document')
        Attachment = pool.get('ir.attachment')
        Booking = pool.get('dms.vehicle.booking')
        Configuration = pool.get('dms.configuration')
        configuration = Configuration(1)
        start = self.start
        vehicle = self.record
        Vehicle.check_holder([vehicle], 'scrap')
        if vehicle.state not in {'available', 'held', 'customer'}:
            raise VehicleStateError(gettext(
                    'dms_vehicle.msg_vehicle_scrap_state',
                    vehicle=vehicle.rec_name,
                    state=vehicle.state_string))
        out = Booking.search([
                ('vehicle', '=', vehicle.id),
                ('state', '=', 'out'),
                ], limit=1)
        if out:
            raise VehicleStateError(gettext(
                    'dms_vehicle.msg_vehicle_scrap_booking_out',
                    vehicle=vehicle.rec_name,
                    booking=out[0].rec_name))
        document = Document(
            company=start.company,
            holder=vehicle.owner or start.dismantler,
            vehicle=vehicle,
            type='certificate_of_destruction',
            number=start.certificate_number,
            issuer=start.dismantler.rec_name,
            issue_date=start.date,
            )
        document.save()
        if start.certificate:
            Attachment.create([{
                        'resource': str(document),
                        'name': start.certificate_name or 'certificate',
                        'type': 'data',
                        'data': start.certificate,
                        }])
        if vehicle.location:
            ship_internal(vehicle.holding_company,
                [(vehicle, vehicle.location)],
                configuration.get_vehicle_location('scrap'), start.date)
        Booking.cancel(Booking.search([
                    ('vehicle', '=', vehicle.id),
                    ('state', '=', 'reserved'),
                    ]))
        Vehicle.write_off([vehicle], start.date,
            start.reason_string + (
                f': {start.description}' if start.description else ''),
            start.dismantler, document)
        return 'end'


class ScrapStart(ModelView):
    __name__ = 'dms.vehicle.scrap.start'
    __string__ = "Scrap Vehicle"

    company = fields.Many2One('company.company', "Company", required=True)
    date = fields.Date("Date", required=True)
    reason = fields.Selection([
            ('end_of_life', "End of Life"),
            ('accident', "Accident Damage"),
            ('flood_fire', "Flood or Fire Damage"),
            ('uneconomic', "Uneconomic to Repair"),
            ('other', "Other"),
            ], "Reason", required=True)
    reason_string = reason.translated('reason')
    description = fields.Text("Description")
    dismantler = fields.Many2One(
        'party.party', "Dismantler", required=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The authorised treatment facility that destroys the vehicle.")
    certificate_number = fields.Char(
        "Certificate Number", size=50, required=True,
        help="The number of the certificate of destruction.")
    certificate = fields.Binary(
        "Certificate", filename='certificate_name',
        help="A scan of the certificate of destruction.")
    certificate_name = fields.Char("Certificate File Name", size=200)

    @classmethod
    def default_reason(cls):
        return 'end_of_life'
